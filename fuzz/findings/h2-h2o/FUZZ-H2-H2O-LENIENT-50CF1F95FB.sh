#!/bin/sh
# lenient/content-length-mismatch/answered-malformed via h2.hpack.byte against h2o
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000\036\001\005\000\000\000\001\203\206\004\005/echo\001\017127.0.a.1:35415\017\r\0015'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-35415} | xxd | head -40
