#!/bin/sh
# lenient/host-invalid/accepted-2xx via seed against node
printf 'GET / HTTP/1.1\r\nHost:\\\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
