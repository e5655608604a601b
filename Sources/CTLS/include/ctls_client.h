#ifndef CATHAMMER_CTLS_CLIENT_H
#define CATHAMMER_CTLS_CLIENT_H

// The harness's client half: what Swift cannot import (option bits built by macros) and the
// session-cache callback, kept beside the server half in ctls.h.

#include <stddef.h>
#include <openssl/ssl.h>

// A client context as the harness uses it: TLS 1.2 and 1.3 only; an EOF without close_notify reads
// as an EOF (servers that close without it are common, and the harness judges the close, not the
// alert); a write retried after WANT_WRITE may come from a moved buffer; sessions handed to the
// caller's cache (ctls_ctx_take_session) instead of OpenSSL's internal store. Returns 1 on success.
int ctls_ctx_prepare_client(SSL_CTX *ctx);

// The newest session the server handed out on a connection of this context (a TLS 1.2 session or
// a TLS 1.3 ticket), with a reference for the caller (SSL_SESSION_free it), or NULL when none yet.
// One slot per context, guarded by a lock: every connection of a target offers the newest.
SSL_SESSION *ctls_ctx_take_session(SSL_CTX *ctx);

// Drops the context's cached session (called before SSL_CTX_free).
void ctls_ctx_forget_session(SSL_CTX *ctx);

// Whether a connection's ClientHello offered an earlier session: a pre_shared_key extension
// (RFC 8446 section 4.2.11) or a non-empty session_ticket (RFC 5077 section 3.2). OpenSSL leaves
// out a session it holds unresumable even after SSL_set_session, and libcurl only says that it
// set one; the ClientHello itself is the proof of an attempt. The watch is a message callback on
// the context (it replaces any other).
void ctls_ctx_watch_session_offers(SSL_CTX *ctx);
int ctls_session_offered(const SSL *ssl);

#endif
