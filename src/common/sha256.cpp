#include "sha256.hpp"

#include "hex.hpp"
#include "openssl_support.hpp"

#include <openssl/evp.h>

#include <memory>

namespace tg::common {

Sha256Digest sha256(ByteView data) {
    Sha256Digest digest{};
    unsigned int length = 0;
    ERR_clear_error();
    if (EVP_Digest(detail::non_null_data(data), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
        length != digest.size()) {
        detail::throw_openssl_error("SHA-256 failed");
    }
    return digest;
}

std::string sha256_hex(ByteView data) { return hex_encode(sha256(data)); }

struct Sha256Stream::State {
    detail::MdCtxPtr ctx;
    bool finished = false;
};

Sha256Stream::Sha256Stream() : state_(std::make_unique<State>()) {
    ERR_clear_error();
    state_->ctx.reset(EVP_MD_CTX_new());
    if (!state_->ctx || EVP_DigestInit_ex(state_->ctx.get(), EVP_sha256(), nullptr) != 1) {
        detail::throw_openssl_error("SHA-256 could not start");
    }
}

Sha256Stream::~Sha256Stream() = default;
Sha256Stream::Sha256Stream(Sha256Stream &&) noexcept = default;
Sha256Stream &Sha256Stream::operator=(Sha256Stream &&) noexcept = default;

void Sha256Stream::update(ByteView data) {
    if (!state_ || state_->finished) throw CryptoError("SHA-256 stream used after finish()");
    if (data.empty()) return;
    if (EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size()) != 1) {
        detail::throw_openssl_error("SHA-256 failed");
    }
}

Sha256Digest Sha256Stream::finish() {
    if (!state_ || state_->finished) throw CryptoError("SHA-256 stream finished twice");
    state_->finished = true;
    Sha256Digest digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(state_->ctx.get(), digest.data(), &length) != 1 || length != digest.size()) {
        detail::throw_openssl_error("SHA-256 failed");
    }
    return digest;
}

std::string Sha256Stream::finish_hex() { return hex_encode(finish()); }

}  // namespace tg::common
