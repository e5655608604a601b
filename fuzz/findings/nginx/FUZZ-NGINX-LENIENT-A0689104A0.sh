#!/bin/sh
# lenient/absolute-form-scheme/accepted-2xx via seed against nginx
printf 'T p://127.0.0.1:49285 HTTP/1.1\r\nHost:127.0.0.1:49285\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
