#!/bin/bash
# lenient/connection-invalid/accepted-2xx via byte.replace+header.duplicate against gunicorn
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-39237}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2 cat <&3 | xxd &
printf 'GET / HTTP/1.0\r\nConnection:\372\r\n\r\n' >&3
wait
