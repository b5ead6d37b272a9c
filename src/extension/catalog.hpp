// Where the extension's own objects are. Plain PostgreSQL calls (may ereport).
#pragma once
#include "extension/pg.hpp"
#include "extension/catalog_names.hpp"
#include "extension/schema_constants.hpp"

namespace tg::catalog {

Oid schema_oid();
Oid relation_oid(const char *name);  // a table, view or sequence in the schema
inline Oid change_log_oid() { return relation_oid("change_log_data"); }
inline Oid tombstone_oid() { return relation_oid("tombstone_data"); }
inline Oid change_seq_oid() { return relation_oid("change_seq"); }
inline Oid registry_oid() { return relation_oid("protected_table"); }

// The change log is partitioned by seq into segments (schema_constants.hpp:
// segment_bits, segment_digits; schema/20_change_log.sql). (Version 0.1.0's
// unpartitioned log is one plain table; the writer keeps working with it
// until the update.)
inline int64 segment_of(int64 seq) { return seq >> schema::segment_bits; }
bool change_log_is_partitioned();
Oid change_log_segment_oid(int64 segment);

// "schema"."table" of any relation (palloc'd), for the messages of errors
// raised straight with ereport; spi::qualified_name is the C++ form.
const char *qualified_rel_name(Oid relid);

// The role that owns the extension's tables (normally the role that ran
// CREATE EXTENSION).
Oid extension_owner();

}  // namespace tg::catalog
