#!/bin/sh
# lenient/field-missing-colon/accepted-2xx via seed against nginx
printf 'T / HTTP/1.1\r\nHost:}\r\no\n\n' | nc 127.0.0.1 ${PORT:-49285}
