#ifndef CATHAMMER_CTLS_SERVER_H
#define CATHAMMER_CTLS_SERVER_H

// The server half's additions to ctls.h: the SSL_OP_* bits (function-like macros Swift cannot
// import) and the randomness for session-ticket keys.

#include <stdint.h>
#include <stddef.h>
#include <openssl/ssl.h>

// SSL_OP_ENABLE_KTLS: move record encryption into the kernel when it offers the `tls` ULP.
extern const uint64_t CTLS_OP_ENABLE_KTLS;
// SSL_OP_IGNORE_UNEXPECTED_EOF: an EOF without close_notify reads as the end of the stream (HTTP
// frames its own messages, so a truncation cannot pass for a complete one).
extern const uint64_t CTLS_OP_IGNORE_UNEXPECTED_EOF;
// SSL_OP_NO_RENEGOTIATION: a TLS 1.2 client's renegotiation is refused with a no_renegotiation alert.
extern const uint64_t CTLS_OP_NO_RENEGOTIATION;
// SSL_OP_CIPHER_SERVER_PREFERENCE: our cipher order, not the client's.
extern const uint64_t CTLS_OP_CIPHER_SERVER_PREFERENCE;

// SSL_CTX_set_read_ahead: read as much as the socket has, not a record header then its body.
void ctls_ctx_set_read_ahead(SSL_CTX *ctx, int on);

// Cryptographically strong random bytes (RAND_bytes); 1 on success.
int ctls_random_bytes(unsigned char *buffer, size_t count);

// Whether the ALPN callback refused this connection because the client offered ALPN but none of
// our protocols (it answered no_application_protocol). Needs ctls_ctx_watch_connection_events.
int ctls_alpn_refused(const SSL *ssl);

#endif
