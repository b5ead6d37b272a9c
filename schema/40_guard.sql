-- Guard rails: a statement may change the rows of one tenant (or
-- tenant_guard.max_tenants_per_statement), within the tenant its session is
-- pinned to (tenant_guard.tenant); back doors that would hard-delete
-- protected rows (TRUNCATE, DROP, disabling triggers, retyping keys ...) are
-- refused (TG003); statements that ran with a weakened guard are recorded.
-- C++: src/extension/statement_scope.cpp (statement_start, the blast radius,
-- the pin and _pinned_tenant), guard.cpp (refuse_truncate, on_ddl_command_start,
-- on_sql_drop), partitions.cpp (on_ddl_command_end: new partitions get the
-- triggers), guard_audit.cpp (writes guard_override_data), module.cpp (the
-- settings).

-- The start of a statement's guard-rail scope (BEFORE ... FOR EACH STATEMENT)
-- and the refusal of TRUNCATE, both installed by protect().
CREATE FUNCTION tenant_guard.statement_start()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_statement_start'
LANGUAGE C;

CREATE FUNCTION tenant_guard.refuse_truncate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_refuse_truncate'
LANGUAGE C;

-- DDL: new partitions of a protected table get its triggers; back doors that
-- would hard-delete protected rows are refused (TG003). ALWAYS: they also fire
-- under session_replication_role = replica.
CREATE FUNCTION tenant_guard.on_ddl_command_end()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'tg_on_ddl_command_end'
LANGUAGE C;

CREATE FUNCTION tenant_guard.on_ddl_command_start()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'tg_on_ddl_command_start'
LANGUAGE C;

CREATE FUNCTION tenant_guard.on_sql_drop()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'tg_on_sql_drop'
LANGUAGE C;

-- New partitions made inside CREATE SCHEMA ... CREATE TABLE ... PARTITION OF
-- get their triggers too (the schema's elements fire no event trigger of
-- their own).
CREATE EVENT TRIGGER tenant_guard_ddl_command_end ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION tenant_guard.on_ddl_command_end();
-- The DDL guard watches every command tag: ALTER VIEW, ALTER MATERIALIZED
-- VIEW and ALTER FOREIGN TABLE also reach tables, CREATE TABLE ... INHERITS
-- and ALTER TYPE ... RENAME VALUE change protected rows; the function looks at
-- the parse tree and leaves everything else at once.
CREATE EVENT TRIGGER tenant_guard_ddl_command_start ON ddl_command_start
    EXECUTE FUNCTION tenant_guard.on_ddl_command_start();
CREATE EVENT TRIGGER tenant_guard_sql_drop ON sql_drop
    EXECUTE FUNCTION tenant_guard.on_sql_drop();
ALTER EVENT TRIGGER tenant_guard_ddl_command_end ENABLE ALWAYS;
ALTER EVENT TRIGGER tenant_guard_ddl_command_start ENABLE ALWAYS;
ALTER EVENT TRIGGER tenant_guard_sql_drop ENABLE ALWAYS;

-- The tenant the session is pinned to (NULL: none), read by the module
-- (statement_scope.cpp) for the trash (55_undo.sql): calling it loads the
-- module, so that PostgreSQL has discarded whatever a role gave
-- tenant_guard.tenant without the privilege to set it (while it was a
-- placeholder) before the pin is read. current_setting() would read the
-- placeholder itself in a session that has not loaded the module.
CREATE FUNCTION tenant_guard._pinned_tenant() RETURNS text
AS 'MODULE_PATHNAME', 'tg_pinned_tenant'
LANGUAGE C STABLE;

-- Every statement that ran with a weakened guard, for auditors. Test
-- databases (tenant_guard.allow_truncate, PGC_SUSET: a superuser grants it
-- with GRANT SET ON PARAMETER, or sets it with ALTER DATABASE ... SET for a
-- test database): each TRUNCATE statement of protected tables is recorded
-- with every protected table and partition it truncated (rels). A protected
-- table truncated whole takes its tombstones and history with it
-- (protected_table.truncated_at).
CREATE SEQUENCE tenant_guard.guard_override_id_seq;
CREATE TABLE tenant_guard.guard_override_data (
    override_id      bigint PRIMARY KEY DEFAULT nextval('tenant_guard.guard_override_id_seq'),
    recorded_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    xid              xid8 NOT NULL DEFAULT pg_current_xact_id(),
    recorded_by      text NOT NULL DEFAULT session_user,  -- the session (login) role, as changed_by
    acting_role      text NOT NULL,                       -- current_user of the statement
    application_name text DEFAULT current_setting('application_name'),
    setting          text NOT NULL,
    value            text NOT NULL,
    rel              regclass,          -- the first protected table the statement changed
    statement        text NOT NULL,
    rels             regclass[]         -- TRUNCATE: every protected table and partition truncated
);
ALTER SEQUENCE tenant_guard.guard_override_id_seq OWNED BY tenant_guard.guard_override_data.override_id;
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.guard_override_data', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.guard_override_id_seq', '');

CREATE VIEW tenant_guard.guard_overrides AS
SELECT override_id, recorded_at, xid, recorded_by, acting_role, application_name, setting, value, rel,
       statement, rels
  FROM tenant_guard.guard_override_data;
