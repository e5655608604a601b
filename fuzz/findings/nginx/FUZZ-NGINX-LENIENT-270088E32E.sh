#!/bin/sh
# lenient/chunk-size-invalid/accepted-2xx via byte.insert-meaningful+stream.split against nginx
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:49285\r\nTransfer-Encoding:chunked\r\n\r\nx' | nc 127.0.0.1 ${PORT:-49285}
