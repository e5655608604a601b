#!/bin/sh
# lenient/trailer-field-prohibited/accepted-2xx via seed against node
printf 'POST / HTTP/1.1\r\nHost:127.0.0.1:58937\r\nTransfer-Encoding:chunked\r\n\r\n0\r\nHost:\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
