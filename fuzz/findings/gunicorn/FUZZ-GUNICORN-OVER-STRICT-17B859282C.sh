#!/bin/sh
# over-strict/valid/status-400 via seed against gunicorn
printf 't / HTTP/1.1\r\nHost:127.0.0.1:39237\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
