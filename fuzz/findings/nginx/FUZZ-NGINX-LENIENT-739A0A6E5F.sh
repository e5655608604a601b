#!/bin/sh
# lenient/connection-names-framing-field/accepted-2xx via seed against nginx
printf 'T / HTTP/1.1\r\nHost:h\r\nConnection:Host\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
