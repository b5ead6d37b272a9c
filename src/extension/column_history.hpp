// DDL that destroys a protected table's column values keeps them: before
// ALTER TABLE ... DROP COLUMN (or a type change that may change values) runs,
// the old values of those columns are written to the change log, one row per
// live row, as an UPDATE is recorded (op 'U', origin 'dml'): old_row holds the
// columns' old values, new_row the row without them, so change_log shows the
// full old image and export --with-history carries it. Tombstones already
// hold whole rows. The images are built as capture builds them (shape.hpp).
// C++ over SPI: call inside spi::Session.
#pragma once
#include <string>
#include <vector>

#include "extension/registry.hpp"

namespace tg {

// Records the current values of columns (names) of every row of relid, which
// table covers (relid is the table or one of its partitions).
void record_column_values(const registry::ProtectedTable &table, Oid relid, const std::vector<std::string> &columns);

// Renames key from to to in every image of table's history (tombstones,
// change log: row, old and new values, primary key), so that a renamed
// column keeps its values. Runs as the extension owner; costs one pass over
// the table's history. C++ over SPI.
void rename_image_key(const registry::ProtectedTable &table, const std::string &from, const std::string &to);

// The key a dropped column's values keep in the history: "<name>#dropped<attnum>".
std::string dropped_column_key(const std::string &name, AttrNumber attnum);

// Refuses (TG003) a column of table named like a key its history keeps
// other values under (a dropped column's "<name>#dropped<attnum>", a retyped
// one's "<name>#<old type>"): a rename to it would overwrite them, an added
// column would bring them back. Only names with a '#' can be such keys, so
// only those cost a look at the history (one pass, stopping at the first).
// Refuses every name ending as a json column's exact-text key does
// (schema_constants.hpp: exact_text_suffix).
void refuse_kept_key(const registry::ProtectedTable &table, const std::string &column);

}  // namespace tg
