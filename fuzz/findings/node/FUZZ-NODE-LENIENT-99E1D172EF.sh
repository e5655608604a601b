#!/bin/bash
# lenient/request-line-invalid/accepted-2xx via seed against node
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-58937}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2 cat <&3 | xxd &
printf 'GET /\n\r\n' >&3
wait
