#!/bin/sh
# desync/field-missing-colon/smuggled-request via stream.concatenate against nginx
printf 'T / HTTP/1.1\r\nHost:}\r\nTransfer\n\nPT /n HTTP/1.1\r\nHost:}\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
