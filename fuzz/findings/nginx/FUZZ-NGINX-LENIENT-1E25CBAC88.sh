#!/bin/sh
# lenient/target-invalid-character/accepted-2xx via seed against nginx
printf 'T /\\ HTTP/1.1\nHost:h\n\n' | nc 127.0.0.1 ${PORT:-49285}
