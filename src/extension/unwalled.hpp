// TRANSITIONAL: files not yet split into the two sides of the wall include
// this instead of pg.hpp. It is removed when the last file is split.
#pragma once
#define TG_UNWALLED 1
#include <string>
#include "extension/pg.hpp"
#include "extension/boundary.hpp"
