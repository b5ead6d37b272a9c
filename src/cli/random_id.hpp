// Unique token ids (jti): 128 random bits from OpenSSL's CSPRNG, so two
// tokens never share one even when made on different machines.
#pragma once

#include <string>

namespace tg::cli {

// 32 lower-case hex digits; throws Failure if the generator fails.
std::string random_token_id();

}  // namespace tg::cli
