#!/bin/sh
# lenient/pseudo-header-after-field/answered-malformed via h2.frame.flags+h2.hpack.huffman against nginx
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000%%\001\004\000\000\000\001\000\006x-fuzz\2028\177\203\206\004\005/echo\001\017127.0.0.1:42391\000\000\001\000\005\000\000\000\001'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-42391} | xxd | head -40
