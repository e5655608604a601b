#!/bin/sh
# lenient/chunk-extension-invalid/accepted-2xx via seed against nginx
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:49285\r\nTransfer-Encoding:chunked\r\n\r\n5;[' | nc 127.0.0.1 ${PORT:-49285}
