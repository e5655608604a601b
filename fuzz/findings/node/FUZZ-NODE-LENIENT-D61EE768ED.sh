#!/bin/sh
# lenient/field-name-underscore-framing/accepted-2xx via seed against node
printf 'POST / HTTP/1.1\r\nHost:\r\nTransfer_Encoding:\r\nContent-Length:15\r\n\r\n5\r\nhello\r\n0\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
