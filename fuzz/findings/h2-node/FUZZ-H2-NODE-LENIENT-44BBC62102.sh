#!/bin/sh
# lenient/host-invalid/answered-malformed via h2.hpack.byte+h2.stream.frame-after-end against node
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000\025\001\005\000\000\000\001\202\206\204\017\027\017127.0.0.1:5997U'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-59977} | xxd | head -40
