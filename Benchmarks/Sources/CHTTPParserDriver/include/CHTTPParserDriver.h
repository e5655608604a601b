#ifndef CHTTPPARSERDRIVER_H
#define CHTTPPARSERDRIVER_H
#include <stddef.h>

/// What the callbacks saw; added to, never reset, by chp_parse_requests.
typedef struct chp_counts {
    size_t requests;        /* on_message_complete */
    size_t header_fields;   /* on_header_field before on_headers_complete */
    size_t trailer_fields;  /* on_header_field after it */
    size_t body_bytes;      /* on_body lengths */
} chp_counts;

/// Parses `buf` as a stream of requests with a freshly initialised http_parser.
/// Returns 0 when every byte was accepted, else the http_errno (or -1 if bytes were left over).
int chp_parse_requests(const char *buf, size_t len, chp_counts *counts);

/// "major.minor.patch" of the linked http-parser.
unsigned long chp_version(void);

#endif
