// Internal to src/common: RAII owners for OpenSSL objects and the conversion of
// OpenSSL's thread-local error queue into CryptoError. Not part of the API.
#pragma once

#include "bytes.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace tg::common::detail {

struct BioFree {
    void operator()(BIO *bio) const noexcept { BIO_free(bio); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX *ctx) const noexcept { EVP_PKEY_CTX_free(ctx); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX *ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// Empties the error queue and returns its entries joined by "; " (empty if none).
// Always called after a failure so no stale entry misleads the next caller:
// the backend shares this queue with PostgreSQL's own TLS code.
std::string drain_error_queue();

// Throws CryptoError("<what>: <OpenSSL errors>").
[[noreturn]] void throw_openssl_error(std::string_view what);

// One-shot OpenSSL calls may treat a NULL input as "no input given" even with
// length 0; an empty message must still be signed and hashed as empty.
const unsigned char *non_null_data(ByteView bytes) noexcept;

// A read-only memory BIO over text (for PEM parsing); the text must outlive it.
BioPtr read_only_bio(std::string_view text);

// A fresh writable memory BIO, and the bytes written into one.
BioPtr writable_bio();
std::string bio_contents(BIO *bio);

}  // namespace tg::common::detail
