// When a protected table last took a new name (renamed_at in the registry),
// and the tokens that named it before. Purge and unprotect tokens name their
// tables (SPEC: qualified names), looked up when the token is used: a table
// owner who renamed tables between the signing and the use would point the
// token at another table. The DDL guard records every rename of a protected
// table, of the schema it is in and every move to another schema; a token
// signed before the table took its name does not reach it.
#pragma once
#include <string>

#include "extension/boundary.hpp"
#include "extension/token_bridge.hpp"

namespace tg::renames {

// The guard, before ALTER ... RENAME or SET SCHEMA of relation relid (any
// relation: only a protected one is recorded), or ALTER SCHEMA ... RENAME of
// schema. The record goes with the statement if it fails; it holds the
// statement's time, and the registry row's commit is the rename's.
void record_relation(Oid relid);
void record_schema(const char *schema);

// TG017 unless the token was signed after protected table relid took the
// name it has (was protected or renamed; name: as the token writes it).
void refuse_renamed_since_signed(Oid relid, const std::string &name, const tokens::VerifiedToken &token);

}  // namespace tg::renames
