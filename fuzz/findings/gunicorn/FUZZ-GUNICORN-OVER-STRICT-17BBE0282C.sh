#!/bin/sh
# over-strict/valid/status-417 via byte.insert-meaningful against gunicorn
printf 'GET / HTTP/1.1\r\nHost:127.0.0.1:39237\r\nExpect:100-continue,\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
