#!/bin/bash
# lenient/te-chunked-repeated/accepted-2xx via header.insert-transfer-encoding+stream.split against node
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-58937}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2 cat <&3 | xxd &
printf 'POST / HTTP/1.1\r\nTransfer-Encoding:chunked\t\r\nHost:127.0.0.1:58937\r\nTransfer-Encoding:chunked\r\n\r\n1\r\nm\r\n1\r\nm\r\n1\r\nm\r\n1\r\nm\r\n0\r\n\r\n' >&3
wait
