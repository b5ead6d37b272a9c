// The innermost query being run (ExecutorRun), for a row trigger that must
// know which statement fired it: PostgreSQL moves a row to another partition
// by deleting it from the old one, firing its BEFORE DELETE triggers, and
// tells them nothing of the move (flag_mode.cpp).
#pragma once
#include "extension/pg.hpp"

namespace tg::running_query {

void install_hook();

// nullptr outside ExecutorRun (or deeper than the stack keeps).
const QueryDesc *innermost();

}  // namespace tg::running_query
