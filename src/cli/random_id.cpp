#include "cli/random_id.hpp"

#include "common/hex.hpp"
#include "cli/cli_error.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdint>

namespace tg::cli {

std::string random_token_id() {
    std::array<std::uint8_t, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw Failure("the random number generator failed; no token id could be made");
    }
    return tg::common::hex_encode(bytes);
}

}  // namespace tg::cli
