#!/bin/sh
# over-strict/valid/status-400 via seed against nginx
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:49285\r\nExpect:100-continue\r\nExpect:100-continue\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
