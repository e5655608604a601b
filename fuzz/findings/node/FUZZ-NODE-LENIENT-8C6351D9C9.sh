#!/bin/sh
# lenient/field-name-underscore-framing/read-on-after-refusal via header.insert-content-length+stream.shift-boundary against node
printf 'POST / HTTP/1.1\r\nContent_Length:\r\nHost:\r\nExpect:\r\nContent-Length: 8\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
