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
        case TokenErrorKind::Malformed:
            return tg::sqlstate::token_malformed.text;
        case TokenErrorKind::BadSignature:
            return tg::sqlstate::token_bad_signature.text;
        case TokenErrorKind::UnknownKey:
            return tg::sqlstate::token_unknown_key.text;
        case TokenErrorKind::Expired:
        case TokenErrorKind::NotYetValid:
        case TokenErrorKind::LifetimeTooLong:
            return tg::sqlstate::token_time_window.text;
        case TokenErrorKind::AlreadyUsed:
            return tg::sqlstate::token_used.text;
        case TokenErrorKind::WrongDatabase:
            return tg::sqlstate::token_wrong_database.text;
        case TokenErrorKind::ScopeTooLarge:
            return tg::sqlstate::token_scope_too_large.text;
        case TokenErrorKind::ScopeInvalid:
            return tg::sqlstate::token_scope_invalid.text;
    }
    return tg::sqlstate::token_malformed.text;  // unreachable with a valid enumerator; never report success
}

const char *kind_name(TokenErrorKind kind) noexcept {
    switch (kind) {
        case TokenErrorKind::Malformed:
            return "malformed";
        case TokenErrorKind::BadSignature:
            return "bad_signature";
        case TokenErrorKind::UnknownKey:
            return "unknown_key";
        case TokenErrorKind::Expired:
            return "expired";
        case TokenErrorKind::NotYetValid:
            return "not_yet_valid";
        case TokenErrorKind::LifetimeTooLong:
            return "lifetime_too_long";
        case TokenErrorKind::AlreadyUsed:
            return "already_used";
        case TokenErrorKind::WrongDatabase:
            return "wrong_database";
        case TokenErrorKind::ScopeTooLarge:
            return "scope_too_large";
        case TokenErrorKind::ScopeInvalid:
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
