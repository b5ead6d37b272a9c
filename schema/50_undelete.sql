-- Undelete: brings one tenant's deleted rows back from their tombstones,
-- parents before children.
-- C++: src/extension/undelete.cpp (undelete), table_restore.cpp (the one
-- restore path, shared with 55_undo.sql), deletion_filter.cpp (which
-- tombstones), fk_order.cpp (parents first: protected_foreign_keys).

CREATE FUNCTION tenant_guard.undelete(tenant text,
                                      rels regclass[] DEFAULT NULL,
                                      deleted_after timestamptz DEFAULT NULL,
                                      on_conflict text DEFAULT 'error',
                                      dry_run boolean DEFAULT false)
RETURNS TABLE (rel regclass, restored bigint, skipped bigint)
AS 'MODULE_PATHNAME', 'tg_undelete'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;
