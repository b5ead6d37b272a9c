// SHA-256 through OpenSSL (receipts keep the digest of the token, never the token).
#pragma once

#include "bytes.hpp"
#include "crypto_error.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace tg::common {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Throws CryptoError only if OpenSSL itself fails.
Sha256Digest sha256(ByteView data);

// Lower-case hex of sha256(data).
std::string sha256_hex(ByteView data);

// SHA-256 of data that arrives in pieces (archive parts of any size), so
// nothing has to be held in memory. finish() may be called once.
class Sha256Stream {
   public:
    Sha256Stream();  // throws CryptoError if OpenSSL cannot start a digest
    ~Sha256Stream();
    Sha256Stream(Sha256Stream &&) noexcept;
    Sha256Stream &operator=(Sha256Stream &&) noexcept;
    Sha256Stream(const Sha256Stream &) = delete;
    Sha256Stream &operator=(const Sha256Stream &) = delete;

    void update(ByteView data);
    Sha256Digest finish();
    std::string finish_hex();

   private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace tg::common
