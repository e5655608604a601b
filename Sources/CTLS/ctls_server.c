#include "ctls_server.h"

#include <openssl/rand.h>

const uint64_t CTLS_OP_ENABLE_KTLS = SSL_OP_ENABLE_KTLS;
const uint64_t CTLS_OP_IGNORE_UNEXPECTED_EOF = SSL_OP_IGNORE_UNEXPECTED_EOF;
const uint64_t CTLS_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
const uint64_t CTLS_OP_CIPHER_SERVER_PREFERENCE = SSL_OP_CIPHER_SERVER_PREFERENCE;

int ctls_random_bytes(unsigned char *buffer, size_t count) {
    return RAND_bytes(buffer, (int)count) == 1;
}

void ctls_ctx_set_read_ahead(SSL_CTX *ctx, int on) { SSL_CTX_set_read_ahead(ctx, on); }
