#!/bin/sh
# lenient/target-invalid/accepted-2xx via seed against node
printf 'GET http://: HTTP/1.1\r\nHost:127.0.0.1:58937\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
