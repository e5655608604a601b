#!/bin/bash
# lenient/te-http10/accepted-2xx via seed against node
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-58937}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2 cat <&3 | xxd &
printf 'POST / HTTP/1.0\r\nTransfer-Encoding:chunked\r\n\r\n0\r\n\r\n' >&3
wait
