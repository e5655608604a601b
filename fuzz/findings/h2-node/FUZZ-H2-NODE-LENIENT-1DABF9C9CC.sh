#!/bin/sh
# lenient/host-authority-mismatch/answered-malformed via h2.frame.duplicate against node
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000#\001\005\000\000\000\001\202\206\204\001\017127.0.0.1:59977\017\027\014evil.example'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-59977} | xxd | head -40
