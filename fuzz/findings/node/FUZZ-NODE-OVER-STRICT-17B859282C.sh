#!/bin/sh
# over-strict/valid/status-400 via seed against node
printf 'T / HTTP/1.1\r\nHost:127.0.0.1:58937\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
