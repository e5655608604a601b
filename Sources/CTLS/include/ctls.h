#ifndef CATHAMMER_CTLS_H
#define CATHAMMER_CTLS_H

// Debian's OpenSSL 3 for both halves. Swift calls OpenSSL's functions directly; this shim exists for
// what Swift cannot import (the SSL_CTX_ctrl macros) and for callbacks that are simplest kept in C
// (ALPN selection, session-ticket keys, renegotiation detection).

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

// Loads the library's strings and algorithms once per process; safe to call again.
int ctls_init(void);

// The oldest queued OpenSSL error as text ("" when none), and clears the queue.
void ctls_take_error(char *buffer, size_t capacity);
void ctls_clear_errors(void);

// TLS 1.2 and 1.3 only.
int ctls_ctx_limit_versions(SSL_CTX *ctx, int min_version, int max_version);
long ctls_ctx_set_mode(SSL_CTX *ctx, long mode);
uint64_t ctls_ctx_set_options(SSL_CTX *ctx, uint64_t options);
long ctls_ctx_set_session_cache_mode(SSL_CTX *ctx, long mode);
int ctls_ctx_set_groups(SSL_CTX *ctx, const char *groups);

// Client side.
int ctls_set_server_name(SSL *ssl, const char *name);
const char *ctls_cipher_name(const SSL *ssl);

// Server side: the requested SNI name, or NULL.
const char *ctls_requested_server_name(const SSL *ssl);

// Server side: which certificate a ClientHello's SNI picks. The callback returns the SSL_CTX to switch
// to (or NULL to keep the default); `argument` is passed back unchanged.
typedef SSL_CTX *(*ctls_sni_selector)(const char *name, void *argument);
void ctls_ctx_set_sni_selector(SSL_CTX *ctx, ctls_sni_selector selector, void *argument);

// Server side ALPN: `protocols` in wire format (length-prefixed names), the server's preference
// first. A client that offers ALPN but none of ours gets the no_application_protocol alert
// (RFC 7301 section 3.2). The context keeps a copy.
int ctls_ctx_set_alpn_protocols(SSL_CTX *ctx, const unsigned char *protocols, size_t length);

// The negotiated ALPN protocol (empty when none) copied into `buffer` as a C string.
void ctls_selected_alpn(const SSL *ssl, char *buffer, size_t capacity);

// Session tickets (RFC 5077 / RFC 8446 section 4.6.1) with keys the master hands out, so a ticket
// minted by one worker resumes on another and after a reload. Each key is 80 bytes: a 16-byte name,
// a 32-byte AES-256-CBC key and a 32-byte HMAC-SHA256 key. The first key encrypts new tickets;
// every key decrypts. The table is per process.
#define CTLS_TICKET_KEY_LENGTH 80
int ctls_set_ticket_keys(const unsigned char *keys, size_t count);
void ctls_ctx_use_ticket_keys(SSL_CTX *ctx);
size_t ctls_ticket_key_count(void);

// Per-connection events for the stats: renegotiations refused (OpenSSL 3 refuses a client's by
// default, with a no_renegotiation warning) and the description of the last alert the peer sent
// (-1 when none).
void ctls_ctx_watch_connection_events(SSL_CTX *ctx);
int ctls_renegotiation_attempts(const SSL *ssl);
int ctls_received_alert(const SSL *ssl);

// What OpenSSL's own reads of the socket found: `ctls_watch_socket_reads` hooks the connection's
// socket BIO (after SSL_set_fd); `ctls_take_socket_read_finding` then says what the latest read since
// the previous take found: -1 no read, 0 bytes that may not have been all, 1 the receive queue
// drained (a read shorter than asked for, or EAGAIN). A kTLS receive side reads a record at a time,
// so its short reads prove nothing and count as 0.
int ctls_watch_socket_reads(SSL *ssl);
int ctls_take_socket_read_finding(SSL *ssl);

// kTLS: whether OpenSSL moved the send side into the kernel for this connection.
int ctls_ktls_send_active(const SSL *ssl);

// A private key and a certificate chain from PEM files into a context, with a check that they
// match. Returns 0 and fills `message` on failure.
int ctls_ctx_use_pem_files(SSL_CTX *ctx, const char *certificate_chain, const char *private_key,
                           char *message, size_t capacity);

#endif
