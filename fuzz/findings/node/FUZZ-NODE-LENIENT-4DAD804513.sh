#!/bin/sh
# lenient/request-line-whitespace/read-on-after-refusal via byte.insert-meaningful+byte.replace+header.duplicate+stream.shift-boundary against node
printf 'POST  / HTTP/1.1\r\nHost:\r\nExpect:\r\nContent-Length:7\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
