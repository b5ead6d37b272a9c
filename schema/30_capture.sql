-- Capture: the trigger functions protect() installs on a protected table and
-- on every partition, which write the change log and the tombstones in the
-- statement's transaction.
-- C++: src/extension/capture.cpp (capture: AFTER ... FOR EACH STATEMENT, with
-- transition tables), capture_applied.cpp (rows a logical replication apply
-- worker writes), flag_mode.cpp (flag_delete), import.cpp (begin_import),
-- shape.cpp (row images), log_writer.cpp (the writes; CDC ticks, 60_cdc.sql).
-- Every trigger function refuses to act for a trigger protect() did not
-- install; who may EXECUTE them: 90_privileges.sql.

CREATE FUNCTION tenant_guard.capture()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_capture'
LANGUAGE C;

-- Rows a logical replication subscription writes into a protected table are
-- captured too: the apply worker fires row triggers only, so protect() adds a
-- row-level trigger enabled REPLICA (it fires in the apply worker alone).
CREATE FUNCTION tenant_guard.capture_applied()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_capture_applied'
LANGUAGE C;

-- delete_mode 'flag': BEFORE DELETE ... FOR EACH ROW, sets the flag instead.
CREATE FUNCTION tenant_guard.flag_delete()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_flag_delete'
LANGUAGE C;

-- Marks the rest of the calling transaction as an import (origin 'import'):
-- what `tenant-guard import` calls before it writes a tenant's rows.
CREATE FUNCTION tenant_guard.begin_import() RETURNS void
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'tg_begin_import';
