#!/bin/sh
# lenient/version-unsupported/accepted-2xx via seed against gunicorn
printf 'GET / HTTP/1.2\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
