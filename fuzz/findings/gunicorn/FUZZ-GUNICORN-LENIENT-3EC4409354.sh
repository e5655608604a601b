#!/bin/bash
# lenient/host-empty/accepted-2xx via seed against gunicorn
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-39237}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2 cat <&3 | xxd &
printf 'GET / HTTP/1.1\r\nHost:\r\n\r\n' >&3
wait
