#!/bin/sh
# lenient/hpack-index-out-of-range/ignored-connection-error via h2.frame.padding+h2.frame.stream-id+h2.hpack.field against nginx
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000+\001\r\000\000\000\003\000 \202\206\204\001\017127.0.0.1:42391@\003x-a\001b\276\000\006x-crlf\004a\r\nb'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-42391} | xxd | head -40
