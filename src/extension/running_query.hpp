// The queries being run (ExecutorRun), innermost last, for what must know
// which statement is running:
//  * a row trigger that must know which statement fired it: PostgreSQL moves
//    a row to another partition by deleting it from the old one, firing its
//    BEFORE DELETE triggers, and tells them nothing of the move (flag_mode.cpp);
//  * the capture order: what was logged while a statement ran (its functions'
//    and BEFORE triggers' changes; its own are logged when it finishes), which
//    capture_order.cpp orders after its own where they changed its rows again.
#pragma once
#include "extension/pg.hpp"

namespace tg::running_query {

void install_hook();

// nullptr outside ExecutorRun (or deeper than the stack keeps).
const QueryDesc *innermost();

// A capture logged changes from first_seq on: for every query running now.
void note_logged(int64 first_seq);

// The first seq logged while query ran (in any of its runs: a portal runs in
// parts), kept until its ExecutorEnd or the (sub)transaction's end; 0: none.
int64 first_logged_while_running(const QueryDesc *query);

}  // namespace tg::running_query
