#!/bin/sh
# lenient/te-http10/accepted-2xx via seed against node
printf 'POST / HTTP/1.0\r\nTransfer-Encoding:chunked\r\n\r\n0\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
