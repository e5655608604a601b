#!/bin/sh
# lenient/target-invalid-character/accepted-2xx via seed against node
printf 'GET /}\n\r\n' | nc 127.0.0.1 ${PORT:-58937}
