#!/bin/sh
# desync/valid/extra-response via byte.replace+header.whitespace against nginx
printf 'T / HTTP/1.0\r\nConnection:7keep-alive\r\n\r\no' | nc 127.0.0.1 ${PORT:-49285}
