// The one exception type of the OpenSSL wrappers (sha256.hpp, ed25519.hpp).
#pragma once

#include "no_postgres.hpp"

#include <stdexcept>
#include <string>

namespace tg::common {

// The message says what failed and, when OpenSSL reported something, ends with
// OpenSSL's own error queue so the cause is not lost.
class CryptoError : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
};

}  // namespace tg::common
