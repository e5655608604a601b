#!/bin/sh
# lenient/chunk-size-overflow/accepted-2xx via chunk.size+header.insert-field against nginx
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:49285\r\nTransfer-Encoding:chunked\r\n\r\n10000000000000000' | nc 127.0.0.1 ${PORT:-49285}
