#!/bin/sh
# lenient/bare-lf/accepted-2xx via byte.insert-meaningful+header.insert-field+stream.concatenate against node
printf '\nGET /\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
