#!/bin/sh
# lenient/te-chunked-repeated/accepted-2xx via header.insert-transfer-encoding+stream.split against node
printf 'POST / HTTP/1.1\r\nTransfer-Encoding:chunked\t\r\nHost:127.0.0.1:58937\r\nTransfer-Encoding:chunked\r\n\r\n1\r\nm\r\n1\r\nm\r\n1\r\nm\r\n1\r\nm\r\n0\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
