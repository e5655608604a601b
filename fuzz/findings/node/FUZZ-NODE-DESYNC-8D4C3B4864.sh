#!/bin/sh
# desync/valid/missing-response via stream.concatenate against node
printf 'GET / HTTP/1.1\r\nHost:127.0.0.1:58937\r\n\r\nCONNECT 127.0.0.1:58937 HTTP/1.1\r\nHost:127.0.0.1:58937\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
