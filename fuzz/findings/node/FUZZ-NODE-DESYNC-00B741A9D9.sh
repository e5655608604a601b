#!/bin/sh
# desync/field-name-underscore-framing/smuggled-request via seed against node
printf 'POST / HTTP/1.1\r\nHost:\r\nContent_Length:\r\n\r\nGET /\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
