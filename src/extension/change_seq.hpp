// The change log's sequence (tenant_guard.change_seq, uncached), as the C++
// side reads it.
#pragma once
#include "extension/boundary.hpp"

namespace tg {

// The seq the next change anyone writes will get, or a lower bound of it
// (another session may take values meanwhile): every change written after
// this call has a seq at least this.
int64 next_change_seq();

}  // namespace tg
