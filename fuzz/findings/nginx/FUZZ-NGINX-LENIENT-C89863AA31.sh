#!/bin/sh
# lenient/bare-lf/accepted-2xx via seed against nginx
printf 'T / HTTP/1.1\nHost:t\noding: chunked\r\n\r\n0\r\n\n' | nc 127.0.0.1 ${PORT:-49285}
