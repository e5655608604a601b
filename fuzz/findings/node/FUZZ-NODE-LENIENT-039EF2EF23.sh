#!/bin/bash
# lenient/host-duplicate/read-on-after-refusal via header.duplicate+stream.shift-boundary against node
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-58937}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2 cat <&3 | xxd &
printf 'POST / HTTP/1.1\r\nHost:\r\nHost:\r\nExpect:\r\nContent-Length:6\r\n\r\n' >&3
wait
