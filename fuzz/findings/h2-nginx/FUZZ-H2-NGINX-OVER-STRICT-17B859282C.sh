#!/bin/sh
# over-strict/valid/status-400 via h2.frame.flags+h2.frame.insert-control against nginx
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000\036\001\007\000\000\000\001\002\007OPTIONS\206\004\001*\001\017127.0.0.1:42391'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-42391} | xxd | head -40
