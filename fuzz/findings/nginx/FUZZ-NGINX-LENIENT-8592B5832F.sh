#!/bin/sh
# lenient/version-unsupported/accepted-2xx via seed against nginx
printf 'T / HTTP/1.2\r\nHost:h\n\n' | nc 127.0.0.1 ${PORT:-49285}
