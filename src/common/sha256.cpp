#include "sha256.hpp"

#include "hex.hpp"
#include "openssl_support.hpp"

#include <openssl/evp.h>

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

std::string sha256_hex(ByteView data) {
    return hex_encode(sha256(data));
}

}  // namespace tg::common
