#!/bin/sh
# The apache2 peer's handler: reads the request body to its end, answers with the length it got.
length=$(wc -c)
printf 'Content-Type: text/plain\r\n\r\nok %s\n' "$length"
