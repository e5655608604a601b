#!/bin/sh
# lenient/te-unknown-coding/accepted-2xx via seed against gunicorn
printf 'OST / HTTP/1.1\r\nHost:127.0.0.1:39237\r\nTransfer-Encoding:identity\r\nTransfer-Encoding:chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
