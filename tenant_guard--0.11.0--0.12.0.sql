-- tenant_guard 0.11.0 -> 0.12.0: the registry records when a protected table
-- last took a new name (renamed_at: ALTER ... RENAME of the table or of its
-- schema, SET SCHEMA; the DDL guard writes it), and purge and unprotect
-- refuse (TG017) a token signed before the table it names took that name: a
-- table owner who swapped two tables' names between the signing and the use
-- pointed the token at the other table. Renames before this update were not
-- recorded, so every table counts as renamed now: tokens signed before the
-- update must be signed again.
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '0.12.0'" to load this file. \quit

-- The last time the table took a new name: ALTER ... RENAME of it or of
-- its schema, or SET SCHEMA (the DDL guard records it, renames.cpp);
-- NULL: none since it was protected. Purge and unprotect tokens name
-- tables, so a token signed before then does not reach it (TG017).
ALTER TABLE tenant_guard.protected_table ADD COLUMN renamed_at timestamptz;
UPDATE tenant_guard.protected_table SET renamed_at = pg_catalog.now();
