// Entries of the change log (one per statement, table and tenant, holding
// many rows: 20_change_log.sql, since 0.14.0), for the C++ that reads or
// rewrites history over SPI. The module also runs against an older schema
// (a package upgraded before ALTER EXTENSION ... UPDATE), whose log has only
// rows: each helper says what to use there.
#pragma once
#include <optional>
#include <string>

#include "extension/registry.hpp"

namespace tg {

// SQL: the relation to read the log's rows from, one per change, with the
// columns of change_log_data (tenant_guard._change_rows, or the log itself).
std::string change_rows();

// SQL: how many changes the log row alias holds.
std::string changes_held(const std::string &alias);

// Turns every entry of table's history (of one tenant, when given) into rows,
// as the extension owner, for what rewrites or erases single rows of it in
// place (migrations of its images, purge of single rows). C++ over SPI: call
// inside spi::Session.
void explode_entries(const registry::ProtectedTable &table, const std::optional<std::string> &tenant = {});

}  // namespace tg
