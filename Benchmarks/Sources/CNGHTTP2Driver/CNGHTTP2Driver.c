#include <stdlib.h>
#include <nghttp2/nghttp2.h>
#include "CNGHTTP2Driver.h"

struct cnh_connection {
    nghttp2_session *session;
    cnh_counts *counts;
};

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags, void *user_data) {
    (void)session; (void)frame; (void)name; (void)namelen; (void)value; (void)valuelen; (void)flags;
    ((cnh_connection *)user_data)->counts->header_fields += 1;
    return 0;
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data) {
    (void)session;
    if (frame->hd.type == NGHTTP2_HEADERS && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
        ((cnh_connection *)user_data)->counts->requests += 1;
    }
    return 0;
}

/* Made once: a server makes them at start-up, not per connection. */
static nghttp2_session_callbacks *callbacks;
static nghttp2_option *options;

static void setup(void) {
    if (callbacks) return;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
    nghttp2_option_new(&options);
    nghttp2_option_set_no_http_messaging(options, 1);
}

cnh_connection *cnh_connection_new(cnh_counts *counts) {
    setup();
    cnh_connection *connection = malloc(sizeof *connection);
    connection->counts = counts;
    if (nghttp2_session_server_new2(&connection->session, callbacks, connection, options) != 0) {
        free(connection);
        return NULL;
    }
    return connection;
}

int cnh_connection_feed(cnh_connection *connection, const uint8_t *bytes, size_t length) {
    ssize_t read = nghttp2_session_mem_recv(connection->session, bytes, length);
    if (read < 0) return (int)read;
    return (size_t)read == length ? 0 : -1;
}

void cnh_connection_free(cnh_connection *connection) {
    nghttp2_session_del(connection->session);
    free(connection);
}

const char *cnh_version(void) { return nghttp2_version(0)->version_str; }
