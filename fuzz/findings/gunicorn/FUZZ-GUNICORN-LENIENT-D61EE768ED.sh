#!/bin/sh
# lenient/field-name-underscore-framing/accepted-2xx via seed against gunicorn
printf 'OST / HTTP/1.1\r\nTransfer_Encoding:\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
