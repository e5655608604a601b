#!/bin/sh
# lenient/frame-on-idle-stream/ignored-connection-error via h2.frame.padding against nginx
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000\003\000\t\000\000\000\003\001x\000'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-42391} | xxd | head -40
