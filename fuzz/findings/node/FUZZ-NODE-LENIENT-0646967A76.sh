#!/bin/sh
# lenient/te-with-content-length/accepted-2xx via header.delete+header.name-case against node
printf 'POST / HTTP/1.1\r\nhoSt:127.0.0.1:58937\r\nTransfer-Encoding:\r\nContent-Length:46\r\n\r\n0\r\n\r\nGET /cats/1 HTTP/1.1\r\nHost: localhost\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
