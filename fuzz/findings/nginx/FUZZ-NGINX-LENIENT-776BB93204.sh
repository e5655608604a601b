#!/bin/sh
# lenient/connection-invalid/accepted-2xx via byte.replace+header.duplicate against nginx
printf 'T / HTTP/1.0\r\nConnection:\372\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
