#!/bin/sh
# lenient/expectation-unsupported/read-on-after-refusal via stream.shift-boundary against node
printf 'POST / HTTP/1.1\r\nHost:\r\nExpect:a\r\nContent-Length:8\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
