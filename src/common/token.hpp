// The token format: "tg1." + base64url(claims JSON) + "." + base64url(signature),
// where the Ed25519 signature covers the ASCII bytes "tg1.<payload>".
#pragma once

#include "ed25519.hpp"
#include "token_error.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace tg::common {

inline constexpr std::string_view token_prefix = "tg1.";

// Generous for a rows list of a few thousand keys; bounds work done on input
// that has not been authenticated yet.
inline constexpr std::size_t max_token_size = 1024 * 1024;

struct ParsedToken {
    nlohmann::json claims;       // a JSON object; not yet validated (claims.hpp does that)
    std::string signed_part;     // "tg1.<payload>": exactly the bytes the signature covers
    Ed25519Signature signature;  // 64 bytes
};

// Signs whatever claims object it is given: validation belongs to the reader,
// and tests need tokens with bad claims. Throws TokenError(Malformed) if the
// claims are not a JSON object or the token would exceed max_token_size.
std::string make_token(const nlohmann::json &claims, const PrivateKey &key);

// Splits and decodes a token without checking its signature. Throws
// TokenError(Malformed) for anything but a well-formed token whose claims are
// a JSON object (strict_json.hpp: no duplicate keys).
ParsedToken parse_token(std::string_view token);

bool verify_signature(const ParsedToken &token, const PublicKey &key);

// verify_signature, or TokenError(BadSignature) with a message saying what to do.
void require_valid_signature(const ParsedToken &token, const PublicKey &key);

}  // namespace tg::common
