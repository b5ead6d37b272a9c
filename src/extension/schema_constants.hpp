// Constants the SQL schema (schema/*.sql) shares with the module: the one
// place each is written. The build writes the install script from schema/,
// replacing @NAME@ with the value of the constant marked `// @NAME@` here
// (Makefile: scripts/install_script.sh); a mark the schema uses but this file
// lacks fails the build. Plain C++ (no PostgreSQL header). The update scripts
// tenant_guard--A--B.sql are history and keep the values they were released
// with; test/interop/upgrade.sh fails if the install script and the updated
// schema part ways.
#pragma once

namespace tg::schema {

// The change log is partitioned by seq into segments of 2^segment_bits
// numbers each: segment n is tenant_guard.change_log_<n in segment_digits
// digits> and holds the seqs [n << segment_bits, (n + 1) << segment_bits)
// (segment 0 from MINVALUE). prune() moves the sequence to the next segment
// and drops old segments whole. The partition bounds of existing segments
// are stored data: neither value can change without an update script that
// moves them.
constexpr int segment_bits = 44;   // @SEGMENT_BITS@
constexpr int segment_digits = 6;  // @SEGMENT_DIGITS@

// A CDC tick (tenant_guard.cdc_tick) every 2^tick_bits changes: the
// statement whose changes pass the mark records a snapshot, and changes()
// cuts the stream into batches between consecutive ticks.
constexpr int tick_bits = 13;  // @TICK_BITS@

// A row image holds a json column's value as JSON, and beside it, under the
// column's name followed by this suffix, the column's exact text (its
// spacing, key order, duplicate keys); a jsonb column holding JSON null has
// "null" there, telling it from an SQL NULL. Images that hold some columns
// only (an UPDATE's old values, migrations' patches) carry the key for each
// json and jsonb column they hold, null where the value needs none, so that
// merging them into a full image leaves no stale text. Stored data. No kept
// key ends so: a retyped column's key is its name, '#' and its old type as
// format_type writes it, which quotes a name holding ':'.
constexpr char exact_text_suffix[] = "#:text";

}  // namespace tg::schema
