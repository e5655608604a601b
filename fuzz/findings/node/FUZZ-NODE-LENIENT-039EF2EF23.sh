#!/bin/sh
# lenient/host-duplicate/read-on-after-refusal via header.duplicate+stream.shift-boundary against node
printf 'POST / HTTP/1.1\r\nHost:\r\nHost:\r\nExpect:\r\nContent-Length:6\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
