#include "token.hpp"

#include "base64url.hpp"
#include "strict_json.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

namespace tg::common {
namespace {

constexpr const char *malformed_hint =
    "pass the whole token exactly as it was issued, or ask the key holder for a new one";

[[noreturn]] void malformed(std::string message) {
    throw TokenError(TokenErrorKind::malformed, std::move(message), malformed_hint);
}

bool is_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string make_token(const nlohmann::json &claims, const PrivateKey &key) {
    if (!claims.is_object()) {
        throw TokenError(TokenErrorKind::malformed,
                         "token claims must be a JSON object, got " + std::string(claims.type_name()),
                         "pass the claims as a JSON object");
    }
    std::string claims_text;
    try {
        claims_text = claims.dump();
    } catch (const nlohmann::json::exception &error) {
        // Strings built in code may hold invalid UTF-8, which JSON cannot carry.
        throw TokenError(TokenErrorKind::malformed,
                         std::string("token claims cannot be written as JSON: ") + error.what(),
                         "use UTF-8 text in every claim");
    }
    std::string token(token_prefix);
    token += base64url_encode(claims_text);
    const Ed25519Signature signature = key.sign(token);
    token += '.';
    token += base64url_encode(signature);
    if (token.size() > max_token_size) {
        throw TokenError(
            TokenErrorKind::malformed,
            "token would be " + std::to_string(token.size()) + " bytes; the limit is " + std::to_string(max_token_size),
            "name fewer rows per token and purge in several steps");
    }
    return token;
}

ParsedToken parse_token(std::string_view token) {
    if (token.size() > max_token_size) {
        malformed("token is " + std::to_string(token.size()) + " bytes; the limit is " +
                  std::to_string(max_token_size));
    }
    for (const char c : token) {
        if (is_whitespace(c)) {
            throw TokenError(TokenErrorKind::malformed, "token contains whitespace or a line break",
                             "pass the token as one word, without spaces or newlines");
        }
    }
    if (token.substr(0, token_prefix.size()) != token_prefix) {
        malformed("not a tenant_guard token: it must start with \"tg1.\"");
    }

    const std::size_t second_dot = token.find('.', token_prefix.size());
    if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
        std::size_t parts = 1;
        for (const char c : token) parts += (c == '.') ? 1 : 0;
        malformed("a token has 3 parts separated by '.', this one has " + std::to_string(parts));
    }
    const std::string_view payload = token.substr(token_prefix.size(), second_dot - token_prefix.size());
    const std::string_view signature_text = token.substr(second_dot + 1);

    const std::optional<Bytes> claims_bytes = base64url_decode(payload);
    if (!claims_bytes) malformed("the claims part of the token is not valid unpadded base64url");
    const std::optional<Bytes> signature_bytes = base64url_decode(signature_text);
    if (!signature_bytes) malformed("the signature part of the token is not valid unpadded base64url");
    if (signature_bytes->size() != ed25519_signature_size) {
        malformed("the token signature is " + std::to_string(signature_bytes->size()) +
                  " bytes; an Ed25519 signature is 64");
    }

    ParsedToken parsed;
    try {
        const std::string_view claims_text(reinterpret_cast<const char *>(claims_bytes->data()), claims_bytes->size());
        parsed.claims = parse_strict_json(claims_text);
    } catch (const StrictJsonError &error) {
        malformed(std::string("the token claims are not valid JSON: ") + error.what());
    }
    if (!parsed.claims.is_object()) {
        malformed("the token claims must be a JSON object, got " + std::string(parsed.claims.type_name()));
    }
    parsed.signed_part = std::string(token.substr(0, second_dot));
    std::copy(signature_bytes->begin(), signature_bytes->end(), parsed.signature.begin());
    return parsed;
}

bool verify_signature(const ParsedToken &token, const PublicKey &key) {
    return key.verify(token.signed_part, token.signature);
}

void require_valid_signature(const ParsedToken &token, const PublicKey &key) {
    if (!verify_signature(token, key)) {
        throw TokenError(TokenErrorKind::bad_signature,
                         "the token signature does not match the public key registered for its kid",
                         "the token was altered or signed with another key; ask the key holder for a new token");
    }
}

}  // namespace tg::common
