#include "ctls_client.h"

#include <pthread.h>

// The cached session per context lives in ex_data, guarded by one lock for all contexts (a
// handful per process; the critical sections are a pointer swap).
static int ctls_session_index = -1;
static pthread_mutex_t ctls_session_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t ctls_session_once = PTHREAD_ONCE_INIT;

static void ctls_session_index_init(void) {
    ctls_session_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
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
