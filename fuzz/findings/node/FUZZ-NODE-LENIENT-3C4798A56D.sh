#!/bin/sh
# lenient/expectation-unsupported/accepted-2xx via seed against node
printf 'POST / HTTP/1.1\r\nHost:\r\nExpect:y 100-continue\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
