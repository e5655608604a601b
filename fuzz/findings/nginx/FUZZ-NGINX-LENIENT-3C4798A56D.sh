#!/bin/sh
# lenient/expectation-unsupported/accepted-2xx via seed against nginx
printf 'T / HTTP/1.1\r\nHost:}\r\nExpect:e\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
