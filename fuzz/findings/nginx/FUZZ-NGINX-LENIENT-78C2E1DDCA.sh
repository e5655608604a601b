#!/bin/sh
# lenient/target-invalid/accepted-2xx via byte.delete against nginx
printf 'T /?%% HTTP/1.1\r\nHost:127.0.0.1:49285\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
