#!/bin/sh
# lenient/connection-names-framing-field/accepted-2xx via seed against node
printf 'GET / HTTP/1.1\r\nHost:\r\nConnection:Host\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
