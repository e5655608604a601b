#include "ctls_client.h"

#include <pthread.h>

// The cached session per context lives in ex_data, guarded by one lock for all contexts (a
// handful per process; the critical sections are a pointer swap).
static int ctls_session_index = -1;
static pthread_mutex_t ctls_session_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t ctls_session_once = PTHREAD_ONCE_INIT;

static int ctls_offer_index = -1;

static void ctls_session_index_init(void) {
    ctls_session_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ctls_offer_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

// OpenSSL's new-session callback: keep the newest (return 1: we own the reference).
static int ctls_new_session(SSL *ssl, SSL_SESSION *session) {
    if (!SSL_SESSION_is_resumable(session)) return 0;
    SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
    pthread_mutex_lock(&ctls_session_lock);
    SSL_SESSION *old = SSL_CTX_get_ex_data(ctx, ctls_session_index);
    SSL_CTX_set_ex_data(ctx, ctls_session_index, session);
    pthread_mutex_unlock(&ctls_session_lock);
    if (old != NULL) SSL_SESSION_free(old);
    return 1;
}

int ctls_ctx_prepare_client(SSL_CTX *ctx) {
    pthread_once(&ctls_session_once, ctls_session_index_init);
    if (ctls_session_index < 0) return 0;
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return 0;
    if (SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) return 0;
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_clear_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, ctls_new_session);
    return 1;
}

SSL_SESSION *ctls_ctx_take_session(SSL_CTX *ctx) {
    if (ctls_session_index < 0) return NULL;
    pthread_mutex_lock(&ctls_session_lock);
    SSL_SESSION *session = SSL_CTX_get_ex_data(ctx, ctls_session_index);
    if (session != NULL) SSL_SESSION_up_ref(session);
    pthread_mutex_unlock(&ctls_session_lock);
    return session;
}

void ctls_ctx_forget_session(SSL_CTX *ctx) {
    if (ctls_session_index < 0) return;
    pthread_mutex_lock(&ctls_session_lock);
    SSL_SESSION *session = SSL_CTX_get_ex_data(ctx, ctls_session_index);
    SSL_CTX_set_ex_data(ctx, ctls_session_index, NULL);
    pthread_mutex_unlock(&ctls_session_lock);
    if (session != NULL) SSL_SESSION_free(session);
}

// Walks the ClientHello we send (RFC 8446 section 4.1.2) to its extensions.
static void ctls_watch_offer(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg) {
    (void)version;
    (void)arg;
    const unsigned char *p = buf;
    if (!write_p || content_type != SSL3_RT_HANDSHAKE || len < 4 || p[0] != SSL3_MT_CLIENT_HELLO) return;
    size_t at = 4 + 2 + 32;  // message header, legacy_version, random
    if (at + 1 > len) return;
    at += 1 + p[at];  // legacy_session_id
    if (at + 2 > len) return;
    at += 2 + ((size_t)p[at] << 8 | p[at + 1]);  // cipher_suites
    if (at + 1 > len) return;
    at += 1 + p[at];  // legacy_compression_methods
    if (at + 2 > len) return;
    size_t end = at + 2 + ((size_t)p[at] << 8 | p[at + 1]);
    if (end > len) end = len;
    for (at += 2; at + 4 <= end; at += 4 + ((size_t)p[at + 2] << 8 | p[at + 3])) {
        unsigned type = (unsigned)p[at] << 8 | p[at + 1];
        size_t size = (size_t)p[at + 2] << 8 | p[at + 3];
        if (type == TLSEXT_TYPE_psk || (type == TLSEXT_TYPE_session_ticket && size > 0)) {
            SSL_set_ex_data(ssl, ctls_offer_index, (void *)1);
            return;
        }
    }
}

void ctls_ctx_watch_session_offers(SSL_CTX *ctx) {
    pthread_once(&ctls_session_once, ctls_session_index_init);
    SSL_CTX_set_msg_callback(ctx, ctls_watch_offer);
}

int ctls_session_offered(const SSL *ssl) {
    return ctls_offer_index >= 0 && SSL_get_ex_data(ssl, ctls_offer_index) != NULL;
}
