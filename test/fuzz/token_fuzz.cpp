// libFuzzer target: parse_token and claims validation must never crash, hang
// or throw anything but TokenError, whatever bytes they are given.
//
// The first input byte picks a mode, so the fuzzer is not stuck behind base64:
//   even: the rest is a whole token, as a user would paste it;
//   odd:  the rest is the claims JSON, wrapped into a well-formed token here.
#include "common/base64url.hpp"
#include "common/claims.hpp"
#include "common/ed25519.hpp"
#include "common/hex.hpp"
#include "common/token.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace tg::common;

constexpr std::int64_t fixed_now = 1795600800;  // 2026-11-25T10:00:00Z
constexpr std::int64_t max_lifetime = 86400;

const PublicKey &fuzz_public_key() {
    // RFC 8032 TEST 1: any fixed key will do; signatures from the fuzzer never match it.
    static const PublicKey key =
        PublicKey::from_raw(hex_decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").value());
    return key;
}

void check_everything(std::string_view token) {
    const ParsedToken parsed = parse_token(token);
    (void)verify_signature(parsed, fuzz_public_key());
    const Claims claims = decode_claims(parsed.claims);
    // What decode accepts, encode must reproduce exactly.
    if (decode_claims(encode_claims(claims)) != claims) std::abort();
    check_time_window(claims, fixed_now, max_lifetime);
    check_database(claims, "7301234567890123456/app");
}

// Decoding accepts only canonical text: re-encoding must give the input back.
void check_base64url_is_canonical(std::string_view text) {
    if (const auto bytes = base64url_decode(text)) {
        if (base64url_encode(*bytes) != text) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char *>(data + 1), size - 1);
    check_base64url_is_canonical(rest);
    std::string token;
    if ((data[0] & 1) == 0) {
        token.assign(rest);
    } else {
        token = "tg1." + base64url_encode(rest) + "." + base64url_encode(Ed25519Signature{});
    }
    try {
        check_everything(token);
    } catch (const TokenError &) {
        // Refusing is the expected outcome for almost every input.
    }
    return 0;
}
