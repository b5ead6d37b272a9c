// Where the extension's own objects are. Plain PostgreSQL calls (may ereport).
#pragma once
#include "extension/pg.hpp"
#include "extension/catalog_names.hpp"
#include "extension/schema_constants.hpp"

namespace tg::catalog {

// The OIDs below are looked up once and kept (per backend, so per database)
// until an invalidation says they may have changed: a relcache invalidation
// of any relation kept (or of all relations: ALTER/DROP EXTENSION, a rolled
// back CREATE EXTENSION, a reset of the caches), or any change to a schema.
// A missing object is never kept: the lookup errors each time.
Oid schema_oid();
Oid relation_oid(const char *name);  // a table, view or sequence in the schema (not kept)
Oid change_log_oid();
Oid tombstone_oid();
Oid change_seq_oid();
Oid registry_oid();

// The change log is partitioned by seq into segments (schema_constants.hpp:
// segment_bits, segment_digits; schema/20_change_log.sql). (Version 0.1.0's
// unpartitioned log is one plain table; the writer keeps working with it
// until the update.)
inline int64 segment_of(int64 seq) { return seq >> schema::segment_bits; }
bool change_log_is_partitioned();
// Its schema has entries (0.14.0 and later: the column entry_seqs).
bool change_log_has_entries();
Oid change_log_segment_oid(int64 segment);  // the last one asked for is kept

// Registers the invalidation callbacks of the kept OIDs (from _PG_init).
void register_cache_callbacks();

// "schema"."table" of any relation (palloc'd), for the messages of errors
// raised straight with ereport; spi::qualified_name is the C++ form.
const char *qualified_rel_name(Oid relid);

// The role that owns the extension's tables (normally the role that ran
// CREATE EXTENSION).
Oid extension_owner();

}  // namespace tg::catalog
