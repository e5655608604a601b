#!/bin/sh
# lenient/authority-invalid/answered-malformed via h2.hpack.byte against node
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000"\001\005\000\000\000\001\202\206\204\001\017127.0.0.1:5997f\000\006x-test\005caf\303\251'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-59977} | xxd | head -40
