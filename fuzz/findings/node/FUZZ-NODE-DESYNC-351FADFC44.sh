#!/bin/sh
# desync/valid/extra-response via header.whitespace against node
printf 'GET / HTTP/1.1\r\nHost:127.0.0.1:58937\r\nConnection:close\t\r\n\r\nG' | nc 127.0.0.1 ${PORT:-58937}
