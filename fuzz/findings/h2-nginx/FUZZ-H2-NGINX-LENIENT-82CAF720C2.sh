#!/bin/sh
# lenient/hpack-huffman-padding-too-long/ignored-connection-error via h2.hpack.huffman against nginx
(printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\000\000\000\004\000\000\000\000\000\000\000\000\004\001\000\000\000\000'; sleep 0.1; printf '\000\000%%\001\005\000\000\000\001\002\004HEAD\206\204\001\017127.0.0.1:42391\000\006x-fuzz\203?\377\377'; sleep 0.1; printf '\000\000\010\006\000\000\000\000\000cathamm!'; sleep 1) | nc 127.0.0.1 ${PORT:-42391} | xxd | head -40
