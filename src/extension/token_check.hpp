// Token checks shared by purge() and unprotect(): verification through
// token_bridge, the single use of every token id, and receipts.
#pragma once
#include <string>

#include "extension/boundary.hpp"
#include "extension/token_bridge.hpp"
#include "extension/token_settings.hpp"

namespace tg {

std::string database_id();

// Verifies the token (format, claims, key, signature, time, database) and its
// act; refusals carry their TG01x SQLSTATE. Call inside spi::Session.
tokens::VerifiedToken verify_token(const std::string &token, const char *expected_act);

// Marks the token id used; TG014 if it was used before. Call before acting.
void consume_token(const tokens::VerifiedToken &token);

// Converts a refusal from token_bridge into the extension's error.
[[noreturn]] void raise_token_failure(const tokens::TokenFailure &f);

}  // namespace tg
