#!/bin/sh
# lenient/frame-on-idle-stream/ignored-connection-error via h2.frame.duplicate+h2.frame.insert-control+h2.frame.stream-id against h2o
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000\004\010\000\177\377\377\377\000\000\000\000'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-35415} | xxd | head -40
