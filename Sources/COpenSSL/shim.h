#ifndef CATHAMMER_COPENSSL_SHIM_H
#define CATHAMMER_COPENSSL_SHIM_H

#include <stddef.h>
#include <openssl/evp.h>

// One-shot SHA-256 through OpenSSL's EVP interface (the SHA256_* functions are deprecated in 3.x).
static inline int copenssl_sha256(const void *data, size_t length, unsigned char digest[32]) {
    unsigned int written = 0;
    return EVP_Digest(data, length, digest, &written, EVP_sha256(), NULL) == 1 && written == 32;
}

#endif
