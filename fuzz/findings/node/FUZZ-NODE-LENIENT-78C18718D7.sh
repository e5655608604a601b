#!/bin/sh
# lenient/te-invalid/accepted-2xx via header.insert-transfer-encoding against node
printf 'POST / HTTP/1.1\r\nHost:127.0.0.1:58937\r\nTransfer-Encoding:\377\r\nTransfer-Encoding:chunked\r\n\r\n0\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
