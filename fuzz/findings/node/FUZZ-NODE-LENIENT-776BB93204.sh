#!/bin/sh
# lenient/connection-invalid/accepted-2xx via byte.insert+stream.concatenate against node
printf 'GET / HTTP/1.1\r\nHost:\r\nConnection:\330\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
