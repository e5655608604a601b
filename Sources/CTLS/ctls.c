#include "ctls.h"
#include "ctls_server.h"

#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>

int ctls_init(void) {
    return OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
}

void ctls_take_error(char *buffer, size_t capacity) {
    unsigned long code = ERR_get_error();
    if (capacity == 0) return;
    if (code == 0) {
        buffer[0] = 0;
    } else {
        ERR_error_string_n(code, buffer, capacity);
    }
    ERR_clear_error();
}

void ctls_clear_errors(void) { ERR_clear_error(); }

int ctls_ctx_limit_versions(SSL_CTX *ctx, int min_version, int max_version) {
    return SSL_CTX_set_min_proto_version(ctx, min_version) == 1 && SSL_CTX_set_max_proto_version(ctx, max_version) == 1;
}

long ctls_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
uint64_t ctls_ctx_set_options(SSL_CTX *ctx, uint64_t options) { return SSL_CTX_set_options(ctx, options); }
long ctls_ctx_set_session_cache_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_session_cache_mode(ctx, mode); }
int ctls_ctx_set_groups(SSL_CTX *ctx, const char *groups) { return (int)SSL_CTX_set1_groups_list(ctx, groups); }

int ctls_set_server_name(SSL *ssl, const char *name) { return (int)SSL_set_tlsext_host_name(ssl, name); }

const char *ctls_cipher_name(const SSL *ssl) {
    const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
    return cipher ? SSL_CIPHER_get_name(cipher) : "";
}

const char *ctls_requested_server_name(const SSL *ssl) {
    return SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
}

// --- SNI ---------------------------------------------------------------------------------------

struct ctls_sni_binding {
    ctls_sni_selector selector;
    void *argument;
};

static int ctls_sni_index = -1;

static int ctls_servername_callback(SSL *ssl, int *alert, void *unused) {
    (void)alert;
    (void)unused;
    SSL_CTX *current = SSL_get_SSL_CTX(ssl);
    struct ctls_sni_binding *binding = SSL_CTX_get_ex_data(current, ctls_sni_index);
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (binding == NULL || name == NULL) return SSL_TLSEXT_ERR_OK;
    SSL_CTX *chosen = binding->selector(name, binding->argument);
    if (chosen != NULL && chosen != current) SSL_set_SSL_CTX(ssl, chosen);
    return SSL_TLSEXT_ERR_OK;
}

static void ctls_free_binding(void *parent, void *pointer, CRYPTO_EX_DATA *data, int index, long argl, void *argp) {
    (void)parent; (void)data; (void)index; (void)argl; (void)argp;
    OPENSSL_free(pointer);
}

void ctls_ctx_set_sni_selector(SSL_CTX *ctx, ctls_sni_selector selector, void *argument) {
    if (ctls_sni_index < 0) ctls_sni_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, ctls_free_binding);
    struct ctls_sni_binding *binding = OPENSSL_malloc(sizeof *binding);
    if (binding == NULL) return;
    binding->selector = selector;
    binding->argument = argument;
    SSL_CTX_set_ex_data(ctx, ctls_sni_index, binding);
    SSL_CTX_set_tlsext_servername_callback(ctx, ctls_servername_callback);
}

// --- ALPN --------------------------------------------------------------------------------------

struct ctls_alpn_list {
    size_t length;
    unsigned char bytes[];
};

static int ctls_alpn_index = -1;
static void ctls_mark_alpn_refused(SSL *ssl);

static int ctls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                            const unsigned char *in, unsigned int inlen, void *arg) {
    (void)arg;
    struct ctls_alpn_list *ours = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctls_alpn_index);
    if (ours == NULL) return SSL_TLSEXT_ERR_NOACK;
    unsigned char *selected = NULL;
    unsigned char selected_length = 0;
    // SSL_select_next_proto walks the first list in order: ours first gives the server's preference.
    if (SSL_select_next_proto(&selected, &selected_length, ours->bytes, (unsigned int)ours->length, in, inlen)
        != OPENSSL_NPN_NEGOTIATED) {
        ctls_mark_alpn_refused(ssl);
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    *outlen = selected_length;
    return SSL_TLSEXT_ERR_OK;
}

int ctls_ctx_set_alpn_protocols(SSL_CTX *ctx, const unsigned char *protocols, size_t length) {
    if (ctls_alpn_index < 0) ctls_alpn_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, ctls_free_binding);
    struct ctls_alpn_list *list = OPENSSL_malloc(sizeof *list + length);
    if (list == NULL) return 0;
    list->length = length;
    memcpy(list->bytes, protocols, length);
    OPENSSL_free(SSL_CTX_get_ex_data(ctx, ctls_alpn_index));
    SSL_CTX_set_ex_data(ctx, ctls_alpn_index, list);
    SSL_CTX_set_alpn_select_cb(ctx, ctls_alpn_select, NULL);
    return 1;
}

void ctls_selected_alpn(const SSL *ssl, char *buffer, size_t capacity) {
    const unsigned char *data = NULL;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl, &data, &length);
    if (capacity == 0) return;
    if (length >= capacity) length = (unsigned int)(capacity - 1);
    if (length > 0) memcpy(buffer, data, length);
    buffer[length] = 0;
}

// --- Session tickets ---------------------------------------------------------------------------

#define CTLS_MAX_TICKET_KEYS 4

struct ctls_ticket_key {
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
};

static struct ctls_ticket_key ctls_ticket_keys[CTLS_MAX_TICKET_KEYS];
static size_t ctls_ticket_keys_in_use = 0;

int ctls_set_ticket_keys(const unsigned char *keys, size_t count) {
    if (count > CTLS_MAX_TICKET_KEYS) return 0;
    for (size_t i = 0; i < count; i++) {
        memcpy(ctls_ticket_keys[i].name, keys + i * CTLS_TICKET_KEY_LENGTH, 16);
        memcpy(ctls_ticket_keys[i].aes, keys + i * CTLS_TICKET_KEY_LENGTH + 16, 32);
        memcpy(ctls_ticket_keys[i].hmac, keys + i * CTLS_TICKET_KEY_LENGTH + 48, 32);
    }
    ctls_ticket_keys_in_use = count;
    return 1;
}

size_t ctls_ticket_key_count(void) { return ctls_ticket_keys_in_use; }

static int ctls_set_mac_key(EVP_MAC_CTX *mac, const unsigned char *key) {
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_MAC_init(mac, key, 32, params);
}

// The ticket cipher, fetched once: EVP_aes_256_cbc() is looked up by name in the provider on every
// EVP_*Init_ex (callgrind: ~3,000 instructions per ticket).
static EVP_CIPHER *ctls_ticket_cipher_fetched = NULL;

static const EVP_CIPHER *ctls_ticket_cipher(void) {
    if (ctls_ticket_cipher_fetched == NULL) ctls_ticket_cipher_fetched = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
    return ctls_ticket_cipher_fetched != NULL ? ctls_ticket_cipher_fetched : EVP_aes_256_cbc();
}

// Ticket IVs come from OpenSSL's CSPRNG in batches: one RAND_bytes call costs ~6,000 instructions
// whatever its length, and a full TLS 1.3 handshake mints two tickets. Bytes handed out are wiped
// from the batch. A worker is its own exec'd process, so no two processes share a batch.
static unsigned char ctls_iv_batch[64 * EVP_MAX_IV_LENGTH];
static size_t ctls_iv_batch_used = sizeof ctls_iv_batch;

static int ctls_ticket_iv(unsigned char *iv) {
    if (ctls_iv_batch_used + EVP_MAX_IV_LENGTH > sizeof ctls_iv_batch) {
        if (RAND_bytes(ctls_iv_batch, sizeof ctls_iv_batch) != 1) return 0;
        ctls_iv_batch_used = 0;
    }
    memcpy(iv, ctls_iv_batch + ctls_iv_batch_used, EVP_MAX_IV_LENGTH);
    OPENSSL_cleanse(ctls_iv_batch + ctls_iv_batch_used, EVP_MAX_IV_LENGTH);
    ctls_iv_batch_used += EVP_MAX_IV_LENGTH;
    return 1;
}

// OpenSSL's contract: on encrypt return 1 after filling name, IV and both contexts (or 0: no
// ticket); on decrypt return 0 for an unknown name (full handshake), 1 for the current key, 2 for
// an older key (resume, and mint a fresh ticket under the current key).
static int ctls_ticket_callback(SSL *ssl, unsigned char name[16], unsigned char *iv, EVP_CIPHER_CTX *cipher,
                                EVP_MAC_CTX *mac, int encrypt) {
    if (ctls_ticket_keys_in_use == 0) return encrypt ? 0 : 0;
    if (encrypt) {
        const struct ctls_ticket_key *key = &ctls_ticket_keys[0];
        if (ctls_ticket_iv(iv) != 1) return -1;
        memcpy(name, key->name, 16);
        if (EVP_EncryptInit_ex(cipher, ctls_ticket_cipher(), NULL, key->aes, iv) != 1) return -1;
        if (ctls_set_mac_key(mac, key->hmac) != 1) return -1;
        return 1;
    }
    for (size_t i = 0; i < ctls_ticket_keys_in_use; i++) {
        const struct ctls_ticket_key *key = &ctls_ticket_keys[i];
        if (memcmp(name, key->name, 16) != 0) continue;
        if (ctls_set_mac_key(mac, key->hmac) != 1) return -1;
        if (EVP_DecryptInit_ex(cipher, ctls_ticket_cipher(), NULL, key->aes, iv) != 1) return -1;
        // 2 renews: a new ticket goes out after the resumption. TLS 1.3 always gets one, as from
        // nginx and OpenSSL's own keys: a client that resumes with its last ticket (wrk does) would
        // otherwise be left holding a used ticket and make a full handshake every other connection.
        // TLS 1.2 renews only a ticket of an older key.
        return (i != 0 || SSL_version(ssl) >= TLS1_3_VERSION) ? 2 : 1;
    }
    return 0;
}

void ctls_ctx_use_ticket_keys(SSL_CTX *ctx) {
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ctls_ticket_callback);
}

// --- Renegotiation and alerts ------------------------------------------------------------------

// Per connection, packed into one ex_data word: bits 0-15 count refused renegotiations, bit 16 says
// an alert arrived from the peer, bit 17 that ALPN was refused, bits 24-31 hold the alert's description.
static int ctls_watch_index = -1;

static void ctls_mark_alpn_refused(SSL *ssl) {
    if (ctls_watch_index < 0) return;
    uintptr_t word = (uintptr_t)SSL_get_ex_data(ssl, ctls_watch_index);
    SSL_set_ex_data(ssl, ctls_watch_index, (void *)(word | ((uintptr_t)1 << 17)));
}

int ctls_alpn_refused(const SSL *ssl) {
    if (ctls_watch_index < 0) return 0;
    return ((uintptr_t)SSL_get_ex_data(ssl, ctls_watch_index) & ((uintptr_t)1 << 17)) ? 1 : 0;
}

static void ctls_info_callback(const SSL *ssl, int where, int ret) {
    // OpenSSL calls this at every step of every handshake; only alerts matter here, and returning
    // before the ex_data look-up keeps the other calls nearly free (callgrind: ~450 instructions
    // per full handshake).
    if ((where & SSL_CB_ALERT) == 0) return;
    uintptr_t word = (uintptr_t)SSL_get_ex_data(ssl, ctls_watch_index);
    // SSL_CB_READ_ALERT and SSL_CB_WRITE_ALERT share the SSL_CB_ALERT bit: compare both bits.
    if ((where & SSL_CB_WRITE_ALERT) == SSL_CB_WRITE_ALERT && (ret & 0xff) == SSL_AD_NO_RENEGOTIATION) {
        // OpenSSL 3 refuses a client's renegotiation by default and answers with this warning.
        if ((word & 0xffff) != 0xffff) word += 1;
    } else if ((where & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT) {
        word = (word & 0x2ffff) | ((uintptr_t)1 << 16) | ((uintptr_t)(ret & 0xff) << 24);
    } else {
        return;
    }
    SSL_set_ex_data((SSL *)ssl, ctls_watch_index, (void *)word);
}

void ctls_ctx_watch_connection_events(SSL_CTX *ctx) {
    if (ctls_watch_index < 0) ctls_watch_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    SSL_CTX_set_info_callback(ctx, ctls_info_callback);
}

int ctls_renegotiation_attempts(const SSL *ssl) {
    if (ctls_watch_index < 0) return 0;
    return (int)((uintptr_t)SSL_get_ex_data(ssl, ctls_watch_index) & 0xffff);
}

int ctls_received_alert(const SSL *ssl) {
    if (ctls_watch_index < 0) return -1;
    uintptr_t word = (uintptr_t)SSL_get_ex_data(ssl, ctls_watch_index);
    return (word & ((uintptr_t)1 << 16)) ? (int)((word >> 24) & 0xff) : -1;
}

// --- What OpenSSL's reads of the socket found ----------------------------------------------------

// Kept in the socket BIO's callback argument, a word rather than a pointer: no allocation per
// connection. Bit 0: OpenSSL read the socket since the last take; bit 1: the latest read drained it.
#define CTLS_SOCKET_READ ((uintptr_t)1)
#define CTLS_SOCKET_DRAINED ((uintptr_t)2)

// Called around every operation on the socket BIO; only a finished read matters. A stream socket's
// read returns less than asked for only when the receive queue held less, so a short read proves the
// queue empty at that moment; with read-ahead OpenSSL asks for a whole buffer, which makes short
// reads the usual case.
static long ctls_socket_read_watch(BIO *bio, int operation, const char *data, size_t length, int argi, long argl,
                                   int result, size_t *processed) {
    (void)data;
    (void)argi;
    (void)argl;
    if (operation != (BIO_CB_READ | BIO_CB_RETURN)) return result;
    int drained;
    if (result > 0) {
        drained = processed != NULL && *processed < length;
#ifndef OPENSSL_NO_KTLS
        // A kTLS receive side hands over one record per read, however much waits behind it.
        if (BIO_get_ktls_recv(bio)) drained = 0;
#endif
    } else {
        drained = BIO_should_retry(bio) ? 1 : 0;
    }
    BIO_set_callback_arg(bio, (char *)(CTLS_SOCKET_READ | (drained ? CTLS_SOCKET_DRAINED : 0)));
    return result;
}

int ctls_watch_socket_reads(SSL *ssl) {
    BIO *bio = SSL_get_rbio(ssl);
    if (bio == NULL) return 0;
    BIO_set_callback_arg(bio, NULL);
    BIO_set_callback_ex(bio, ctls_socket_read_watch);
    return 1;
}

int ctls_take_socket_read_finding(SSL *ssl) {
    BIO *bio = SSL_get_rbio(ssl);
    if (bio == NULL || BIO_get_callback_ex(bio) != ctls_socket_read_watch) return -1;
    uintptr_t word = (uintptr_t)BIO_get_callback_arg(bio);
    if ((word & CTLS_SOCKET_READ) == 0) return -1;
    BIO_set_callback_arg(bio, NULL);
    return (word & CTLS_SOCKET_DRAINED) ? 1 : 0;
}

int ctls_ktls_send_active(const SSL *ssl) {
#ifndef OPENSSL_NO_KTLS
    return BIO_get_ktls_send(SSL_get_wbio(ssl)) ? 1 : 0;
#else
    (void)ssl;
    return 0;
#endif
}

// --- Certificates ------------------------------------------------------------------------------

int ctls_ctx_use_pem_files(SSL_CTX *ctx, const char *certificate_chain, const char *private_key,
                           char *message, size_t capacity) {
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(ctx, certificate_chain) != 1) {
        char reason[200];
        ctls_take_error(reason, sizeof reason);
        snprintf(message, capacity, "%s: not a readable PEM certificate (%s)", certificate_chain, reason);
        return 0;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, private_key, SSL_FILETYPE_PEM) != 1) {
        // OpenSSL checks the key against the certificate as it loads it.
        int mismatch = ERR_GET_LIB(ERR_peek_last_error()) == ERR_LIB_X509
            && ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
        char reason[200];
        ctls_take_error(reason, sizeof reason);
        if (mismatch) {
            snprintf(message, capacity, "%s does not match the certificate in %s (%s)", private_key, certificate_chain, reason);
        } else {
            snprintf(message, capacity, "%s: not a readable PEM private key (%s)", private_key, reason);
        }
        return 0;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        char reason[200];
        ctls_take_error(reason, sizeof reason);
        snprintf(message, capacity, "%s does not match the certificate in %s (%s)", private_key, certificate_chain, reason);
        return 0;
    }
    return 1;
}
