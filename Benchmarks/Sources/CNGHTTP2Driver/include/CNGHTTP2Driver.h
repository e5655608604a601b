#ifndef CNGHTTP2DRIVER_H
#define CNGHTTP2DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// What the callbacks saw; added to, never reset.
typedef struct cnh_counts {
    size_t requests;       /* HEADERS frames with END_STREAM received (on_frame_recv) */
    size_t header_fields;  /* on_header */
} cnh_counts;

/// A server session of libnghttp2 reading a client's bytes, as a C server uses it: callbacks for
/// each header field and each complete frame, HTTP messaging checks off (frames and HPACK only, the
/// work HTTP2Wire's frame parser and decoder do).
typedef struct cnh_connection cnh_connection;

cnh_connection *cnh_connection_new(cnh_counts *counts);
/// Feeds bytes; returns 0 when all were accepted, else the nghttp2 error code.
int cnh_connection_feed(cnh_connection *connection, const uint8_t *bytes, size_t length);
void cnh_connection_free(cnh_connection *connection);

/// The linked library's version string.
const char *cnh_version(void);

#endif
