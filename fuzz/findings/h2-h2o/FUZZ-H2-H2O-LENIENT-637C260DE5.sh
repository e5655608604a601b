#!/bin/sh
# lenient/field-name-empty/answered-malformed via h2.hpack.field against h2o
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000\027\001\005\000\000\000\017\202\206\204\001\017127.0.0.1:35415\000\000\000\000\006'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-35415} | xxd | head -40
