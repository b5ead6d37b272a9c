// A row's changes in the change log in the order they happened, also when a
// trigger changes again what its statement changed.
//
// Capture is an AFTER STATEMENT trigger, and PostgreSQL fires a statement's
// AFTER ROW triggers before its AFTER STATEMENT ones: a statement that such
// a trigger runs (an owner's trigger that updates the row just updated,
// deletes a row marked done) is captured, and takes its seqs, before the
// statement that caused it, although it changed the rows after it. (Foreign-
// key actions are not affected: their triggers fire from the causing
// statement's queue, after its capture.) So while a statement finishes (its
// AFTER triggers fire: ExecutorFinish), the seqs logged by statements its
// triggers ran are noted; if any comes before one of the statement's own,
// they are given new seqs, in their order, after its own (with their
// tombstones), once it has finished. Of what statements run during the
// statement itself (functions it calls, BEFORE ROW triggers) logged
// (running_query.hpp), the changes of rows the statement updated or deleted
// are moved the same way: PostgreSQL refuses them before the statement's own
// change of the row, so they came after it. The rest keeps its place (a
// parent row a BEFORE INSERT trigger creates, a key it deletes before the
// insert).
#pragma once
#include "extension/pg.hpp"

namespace tg::capture_order {

void install_hook();

// One capture call's changes, seqs first..last, logged at the current
// trigger depth.
void note_logged(int64 first_seq, int64 last_seq);

}  // namespace tg::capture_order
