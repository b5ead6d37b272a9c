// Why a token is refused, and the SQLSTATE the extension reports for it.
#pragma once

#include "no_postgres.hpp"

#include <stdexcept>
#include <string>

namespace tg::common {

// One kind per refusal the spec distinguishes. Several kinds may share a
// SQLSTATE (TG013), but each is one precise reason.
enum class TokenErrorKind {
    malformed,          // TG010: not a token, bad encoding, bad or missing claims
    bad_signature,      // TG011
    unknown_key,        // TG012: thrown by callers (key lookup)
    expired,            // TG013
    not_yet_valid,      // TG013
    lifetime_too_long,  // TG013
    already_used,       // TG014: thrown by callers (jti lookup)
    wrong_database,     // TG015
    scope_too_large,    // TG016: thrown by callers (row count)
    scope_invalid,      // TG017
};

// "TG010" … "TG017" (src/extension/errors.hpp).
const char *sqlstate(TokenErrorKind kind) noexcept;

// Stable lower-case name ("malformed", "expired" …) for logs and tests.
const char *kind_name(TokenErrorKind kind) noexcept;

// message(): what is wrong; hint(): what to do about it. what() joins both, so
// a plain `catch (const std::exception&)` still shows the whole story, while
// the extension can map them to errmsg and errhint.
class TokenError : public std::runtime_error {
   public:
    TokenError(TokenErrorKind kind, std::string message, std::string hint);

    TokenErrorKind kind() const noexcept { return kind_; }
    const char *sqlstate() const noexcept { return tg::common::sqlstate(kind_); }
    const std::string &message() const noexcept { return message_; }
    const std::string &hint() const noexcept { return hint_; }

   private:
    TokenErrorKind kind_;
    std::string message_;
    std::string hint_;
};

}  // namespace tg::common
