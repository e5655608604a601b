#!/bin/sh
# lenient/version-unsupported/accepted-2xx via seed against node
printf 'GET / HTTP/2.0\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
