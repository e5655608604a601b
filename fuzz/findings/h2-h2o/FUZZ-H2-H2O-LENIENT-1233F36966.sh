#!/bin/bash
# lenient/frame-on-implicitly-closed-stream/ignored-connection-error via h2.frame.stream-id against h2o
# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-35415}
# A server that closes early makes a later write fail; the answer is still read.
trap '' PIPE
exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
timeout 2.2 cat <&3 | xxd &
printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000' >&3
sleep 0.1
printf '\000\000\032\001\004\000\000\000e\203\206\004\005/echo\001\017127.0.0.1:35415\000\000\003\000\t\000\000\000\001\000ok' >&3
sleep 0.1
printf '\000\000\010\006\000\000\000\000\000cathamm!' >&3
wait
