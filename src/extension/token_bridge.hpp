// The extension's door to src/common (token codec, Ed25519, SHA-256). Plain
// C++ on both sides: PostgreSQL headers and src/common's headers may not meet
// in one translation unit, so this header includes neither, and refusals
// cross it as TokenFailure (SQLSTATE text + message + hint).
#pragma once
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tg::tokens {

struct TokenFailure : std::exception {
    std::string sqlstate;  // "TG010" … (errors.hpp) or "22023"
    std::string message, hint;
    TokenFailure(std::string code, std::string msg, std::string h = {})
        : sqlstate(std::move(code)), message(std::move(msg)), hint(std::move(h)) {}
    const char *what() const noexcept override { return message.c_str(); }
};

// The claims of a verified token.
struct VerifiedToken {
    std::string kid, act, jti, reason;
    std::optional<std::string> tenant;
    std::vector<std::string> tables;     // as written in the token; empty: every protected table
    std::vector<std::string> rows_json;  // each a JSON object of primary-key values; empty: all rows
    bool live = false;
    int64_t max_rows = 0;
    int64_t exp = 0;             // unix seconds
    std::optional<int64_t> iat;  // when it was signed (unix seconds), if the token says
    std::string token_sha256;    // hex
};

// Checks, in order: format and claims (TG010/TG017), the key (TG012, via
// public_key_pem: nullopt for an unknown or revoked kid), the signature
// (TG011), the time window (TG013), the database (TG015).
VerifiedToken verify(const std::string &token,
                     const std::function<std::optional<std::string>(const std::string &kid)> &public_key_pem,
                     int64_t now, int64_t max_lifetime_seconds, const std::string &database_id);

// Signs a JSON object of claims (not validated) with a PKCS#8 PEM private key.
std::string sign(const std::string &claims_json, const std::string &private_key_pem);

// Refuses (22023) anything but an Ed25519 SubjectPublicKeyInfo PEM block.
void check_public_key(const std::string &pem);

}  // namespace tg::tokens
