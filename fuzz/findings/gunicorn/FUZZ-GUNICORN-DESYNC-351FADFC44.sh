#!/bin/sh
# desync/valid/extra-response via seed against gunicorn
printf 'GET / HTTP/1.1\r\nHost:127.0.0.1:39237\r\nConnection:,close\r\n\r\n\n' | nc 127.0.0.1 ${PORT:-39237}
