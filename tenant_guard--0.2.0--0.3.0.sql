-- tenant_guard 0.2.0 -> 0.3.0: no role gains a privilege through tenant_guard.
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '0.3.0'" to load this file. \quit

-- The statement-level trigger functions are for the triggers protect()
-- installs (as the extension owner); nobody else may attach them. They refuse
-- to act for any trigger protect() did not install, in any case.
-- flag_delete keeps EXECUTE for PUBLIC: it is a row trigger, which PostgreSQL
-- clones onto new and attached partitions as the role that creates them; it
-- too refuses every trigger protect() did not install.
REVOKE EXECUTE ON FUNCTION tenant_guard.capture(), tenant_guard.statement_start(), tenant_guard.refuse_truncate()
    FROM PUBLIC;

-- tenant_guard.actor and tenant_guard.tenant are every role's to set. Granted
-- by name so that CREATE FUNCTION ... SET and ALTER ROLE ... SET of them work
-- in a session that has not loaded the module yet (PostgreSQL then knows them
-- only as placeholders, which need this privilege). The setting that weakens
-- a guard, tenant_guard.max_tenants_per_statement, is not granted: a
-- superuser grants it to the roles that may (GRANT SET ON PARAMETER).
GRANT SET ON PARAMETER tenant_guard.actor, tenant_guard.tenant TO PUBLIC;

-- Every statement that ran with a weakened guard, for auditors.
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
    statement        text NOT NULL
);
ALTER SEQUENCE tenant_guard.guard_override_id_seq OWNED BY tenant_guard.guard_override_data.override_id;
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.guard_override_data', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.guard_override_id_seq', '');

CREATE VIEW tenant_guard.guard_overrides AS
SELECT override_id, recorded_at, xid, recorded_by, acting_role, application_name, setting, value, rel,
       statement
  FROM tenant_guard.guard_override_data;

REVOKE ALL ON ALL TABLES IN SCHEMA tenant_guard FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA tenant_guard FROM PUBLIC;

-- The DDL guard watches every command tag: ALTER VIEW, ALTER MATERIALIZED
-- VIEW and ALTER FOREIGN TABLE also reach tables, CREATE TABLE ... INHERITS
-- and ALTER TYPE ... RENAME VALUE change protected rows; the function looks at
-- the parse tree and leaves everything else at once.
DROP EVENT TRIGGER tenant_guard_ddl_command_start;
CREATE EVENT TRIGGER tenant_guard_ddl_command_start ON ddl_command_start
    EXECUTE FUNCTION tenant_guard.on_ddl_command_start();
ALTER EVENT TRIGGER tenant_guard_ddl_command_start ENABLE ALWAYS;

-- Rows a logical replication subscription writes into a protected table are
-- captured too: the apply worker fires row triggers only, so protect() adds a
-- row-level trigger enabled REPLICA (it fires in the apply worker alone). A
-- row trigger function is executable by PUBLIC, like flag_delete(), because
-- PostgreSQL clones row triggers onto new partitions as their creator; it
-- acts only for the trigger protect() installed.
CREATE FUNCTION tenant_guard.capture_applied()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_capture_applied'
LANGUAGE C;

-- Every protected table gets the triggers of this version.
CREATE FUNCTION tenant_guard._reinstall_triggers()
RETURNS void
AS 'MODULE_PATHNAME', 'tg_reinstall_triggers'
LANGUAGE C VOLATILE;
REVOKE EXECUTE ON FUNCTION tenant_guard._reinstall_triggers() FROM PUBLIC;
SELECT tenant_guard._reinstall_triggers();

-- A data-only restore into a database with protected tables is refused
-- instead of mixing two histories (see history_merge.cpp): SQL inserts into
-- the registry, the tombstones or a change-log segment that holds rows.
CREATE FUNCTION tenant_guard.refuse_history_merge()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_refuse_history_merge'
LANGUAGE C;
REVOKE EXECUTE ON FUNCTION tenant_guard.refuse_history_merge() FROM PUBLIC;

CREATE FUNCTION tenant_guard._guard_history_table(t regclass)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER tenant_guard_no_history_merge BEFORE INSERT ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.refuse_history_merge()', t);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER tenant_guard_no_history_merge', t);
END
$$;
SELECT tenant_guard._guard_history_table(t)
  FROM unnest(ARRAY['tenant_guard.protected_table'::regclass, 'tenant_guard.tombstone_data'::regclass]) AS t;
SELECT tenant_guard._guard_history_table(i.inhrelid::regclass)
  FROM pg_catalog.pg_inherits i WHERE i.inhparent = 'tenant_guard.change_log_data'::regclass;

-- New segments get it too.
CREATE OR REPLACE FUNCTION tenant_guard._dress_segment(segment regclass)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = segment);
BEGIN
    EXECUTE format('CREATE INDEX %I ON %s (xid, seq) WITH (deduplicate_items = off)', name || '_xid_idx', segment);
    EXECUTE format('CREATE INDEX %I ON %s (tenant, xid, seq) WITH (deduplicate_items = off)',
                   name || '_tenant_idx', segment);
    EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', segment);
    PERFORM tenant_guard._guard_history_table(segment);
END
$$;
REVOKE EXECUTE ON FUNCTION tenant_guard._guard_history_table(regclass) FROM PUBLIC;

-- Test databases: TRUNCATE of protected tables under tenant_guard.allow_truncate
-- (PGC_SUSET: a superuser grants it with GRANT SET ON PARAMETER, or sets it
-- with ALTER DATABASE ... SET for a test database). Each TRUNCATE statement is
-- recorded in guard_overrides with every protected table and partition it
-- truncated (rels). A protected table truncated whole takes its tombstones and
-- history with it; rewinds cannot reach back before a truncation
-- (truncated_at, truncated_xid: the last one).
ALTER TABLE tenant_guard.guard_override_data ADD COLUMN rels regclass[];
CREATE OR REPLACE VIEW tenant_guard.guard_overrides AS
SELECT override_id, recorded_at, xid, recorded_by, acting_role, application_name, setting, value, rel,
       statement, rels
  FROM tenant_guard.guard_override_data;
ALTER TABLE tenant_guard.protected_table ADD COLUMN truncated_at timestamptz, ADD COLUMN truncated_xid xid8;
