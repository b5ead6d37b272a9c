// Messages to the client for the C++ side (ereport below ERROR).
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

// A WARNING; detail and hint may be nullptr.
void warning(const char *message, const char *detail, const char *hint);

}  // namespace tg::pg
