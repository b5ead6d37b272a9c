#include "token_error.hpp"

#include <utility>

namespace tg::common {
namespace {

std::string join_message_and_hint(const std::string& message, const std::string& hint) {
    return hint.empty() ? message : message + "; " + hint;
}

}  // namespace

const char* sqlstate(TokenErrorKind kind) noexcept {
    switch (kind) {
        case TokenErrorKind::Malformed: return "TG010";
        case TokenErrorKind::BadSignature: return "TG011";
        case TokenErrorKind::UnknownKey: return "TG012";
        case TokenErrorKind::Expired:
        case TokenErrorKind::NotYetValid:
        case TokenErrorKind::LifetimeTooLong: return "TG013";
        case TokenErrorKind::AlreadyUsed: return "TG014";
        case TokenErrorKind::WrongDatabase: return "TG015";
        case TokenErrorKind::ScopeTooLarge: return "TG016";
        case TokenErrorKind::ScopeInvalid: return "TG017";
    }
    return "TG010";  // unreachable with a valid enumerator; never report success
}

const char* kind_name(TokenErrorKind kind) noexcept {
    switch (kind) {
        case TokenErrorKind::Malformed: return "malformed";
        case TokenErrorKind::BadSignature: return "bad_signature";
        case TokenErrorKind::UnknownKey: return "unknown_key";
        case TokenErrorKind::Expired: return "expired";
        case TokenErrorKind::NotYetValid: return "not_yet_valid";
        case TokenErrorKind::LifetimeTooLong: return "lifetime_too_long";
        case TokenErrorKind::AlreadyUsed: return "already_used";
        case TokenErrorKind::WrongDatabase: return "wrong_database";
        case TokenErrorKind::ScopeTooLarge: return "scope_too_large";
        case TokenErrorKind::ScopeInvalid: return "scope_invalid";
    }
    return "malformed";
}

TokenError::TokenError(TokenErrorKind kind, std::string message, std::string hint)
    : std::runtime_error(join_message_and_hint(message, hint)),
      kind_(kind),
      message_(std::move(message)),
      hint_(std::move(hint)) {}

}  // namespace tg::common
