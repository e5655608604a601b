#!/bin/sh
# lenient/target-invalid-character/read-on-after-refusal via byte.replace+header.insert-content-length+stream.concatenate against node
printf 'GET /} HTTP/1.1\r\nHost:\r\nExpect:\r\n\r\nP' | nc 127.0.0.1 ${PORT:-58937}
