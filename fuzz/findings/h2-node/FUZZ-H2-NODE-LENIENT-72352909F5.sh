#!/bin/bash
# lenient/data-padding-too-long/ignored-connection-error via h2.frame.flags+h2.stream.end-stream+h2.stream.frame-after-reset+h2.stream.id-order against node
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-59977}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2.2 cat <&3 | xxd &
printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000' >&3
sleep 0.1
printf '\000\000\024\001\005\000\000\000\001\202\206\204\001\017127.0.0.1:59\000\000\010\000\000\001\000\010\000\000\000\001x' >&3
sleep 0.1
printf '\000\000\010\006\000\000\000\000\000cathamm!' >&3
wait
