#!/bin/bash
# lenient/trailer-field-prohibited/accepted-2xx via seed against nginx
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-49285}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2 cat <&3 | xxd &
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:49285\r\nTransfer-Encoding:chunked\r\n\r\n0\r\nContent-Length:\r\n\r\n' >&3
wait
