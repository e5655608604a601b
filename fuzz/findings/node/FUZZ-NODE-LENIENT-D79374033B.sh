#!/bin/sh
# lenient/host-duplicate/accepted-2xx via seed against node
printf 'GET / HTTP/1.1\r\nHost:\r\nhost:\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
