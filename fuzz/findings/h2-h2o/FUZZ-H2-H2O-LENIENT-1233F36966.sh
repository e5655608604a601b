#!/bin/sh
# lenient/frame-on-implicitly-closed-stream/ignored-connection-error via h2.frame.stream-id against h2o
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000\032\001\004\000\000\000e\203\206\004\005/echo\001\017127.0.0.1:35415\000\000\003\000\t\000\000\000\001\000ok'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-35415} | xxd | head -40
