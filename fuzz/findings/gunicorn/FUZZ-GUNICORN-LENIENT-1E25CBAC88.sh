#!/bin/sh
# lenient/target-invalid-character/accepted-2xx via seed against gunicorn
printf 'GET /\\ HTTP/1.1\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
