#!/bin/bash
# lenient/chunk-size-overflow/accepted-2xx via chunk.size+header.insert-field against nginx
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-49285}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2.1 cat <&3 | xxd &
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:49285\r\nTransfer-Encoding:chunked\r\n\r\n' >&3
sleep 0.1
printf '10000000000000000' >&3
wait
