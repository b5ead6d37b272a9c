#include "token_error.hpp"

#include <utility>

#include "extension/errors.hpp"  // plain C++: the one list of tenant_guard's SQLSTATEs

namespace tg::common {
namespace {

std::string join_message_and_hint(const std::string &message, const std::string &hint) {
    return hint.empty() ? message : message + "; " + hint;
}

}  // namespace

const char *sqlstate(TokenErrorKind kind) noexcept {
    switch (kind) {
        case TokenErrorKind::malformed:
            return tg::sqlstate::token_malformed.text;
        case TokenErrorKind::bad_signature:
            return tg::sqlstate::token_bad_signature.text;
        case TokenErrorKind::unknown_key:
            return tg::sqlstate::token_unknown_key.text;
        case TokenErrorKind::expired:
        case TokenErrorKind::not_yet_valid:
        case TokenErrorKind::lifetime_too_long:
            return tg::sqlstate::token_time_window.text;
        case TokenErrorKind::already_used:
            return tg::sqlstate::token_used.text;
        case TokenErrorKind::wrong_database:
            return tg::sqlstate::token_wrong_database.text;
        case TokenErrorKind::scope_too_large:
            return tg::sqlstate::token_scope_too_large.text;
        case TokenErrorKind::scope_invalid:
            return tg::sqlstate::token_scope_invalid.text;
    }
    return tg::sqlstate::token_malformed.text;  // unreachable with a valid enumerator; never report success
}

const char *kind_name(TokenErrorKind kind) noexcept {
    switch (kind) {
        case TokenErrorKind::malformed:
            return "malformed";
        case TokenErrorKind::bad_signature:
            return "bad_signature";
        case TokenErrorKind::unknown_key:
            return "unknown_key";
        case TokenErrorKind::expired:
            return "expired";
        case TokenErrorKind::not_yet_valid:
            return "not_yet_valid";
        case TokenErrorKind::lifetime_too_long:
            return "lifetime_too_long";
        case TokenErrorKind::already_used:
            return "already_used";
        case TokenErrorKind::wrong_database:
            return "wrong_database";
        case TokenErrorKind::scope_too_large:
            return "scope_too_large";
        case TokenErrorKind::scope_invalid:
            return "scope_invalid";
    }
    return "malformed";
}

TokenError::TokenError(TokenErrorKind kind, std::string message, std::string hint)
    : std::runtime_error(join_message_and_hint(message, hint)),
      kind_(kind),
      message_(std::move(message)),
      hint_(std::move(hint)) {}

}  // namespace tg::common
