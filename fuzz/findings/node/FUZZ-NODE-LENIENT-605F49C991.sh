#!/bin/sh
# lenient/bare-cr/accepted-2xx via byte.replace against node
printf '\rGET /\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
