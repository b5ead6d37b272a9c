-- tenant_guard 0.1.0 -> 0.2.0
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '0.2.0'" to load this file. \quit

-- Marks the rest of the calling transaction as an import (origin 'import').
CREATE FUNCTION tenant_guard.begin_import() RETURNS void
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'tg_begin_import';
REVOKE EXECUTE ON FUNCTION tenant_guard.begin_import() FROM PUBLIC;
