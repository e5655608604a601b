#!/bin/sh
# lenient/chunk-extension-invalid/accepted-2xx via chunk.extension against node
printf 'POST / HTTP/1.1\r\nHost:127.0.0.1:58937\r\nTransfer-Encoding:chunked\r\n\r\n5\r\nhello\r\n0;=\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
