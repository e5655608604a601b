#!/bin/sh
# lenient/incomplete/answered-incomplete via seed against gunicorn
printf 'OST / HTTP/1.1\r\nHost:127.0.0.1:39237\r\nContent-Length:1\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
