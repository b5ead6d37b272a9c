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

-- changes() gains origin and actor (as the change_log view shows them). A
-- return type cannot be replaced: both functions are dropped and created
-- again, and changes() keeps the EXECUTE grants it had. A view or function
-- of the database's own over changes() would block the drop: it is named.
DO $$
DECLARE
    dependents text;
BEGIN
    SELECT string_agg(DISTINCT coalesce((SELECT format('view %s', r.ev_class::regclass) FROM pg_rewrite r
                                          WHERE d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid),
                                         pg_describe_object(d.classid, d.objid, d.objsubid)), ', ')
      INTO dependents
      FROM pg_depend d
     WHERE d.refclassid = 'pg_proc'::regclass
       AND d.refobjid IN ('tenant_guard.changes(text, integer, text)'::regprocedure,
                          'tenant_guard._changes(text, integer, text)'::regprocedure)
       AND d.deptype = 'n';
    IF dependents IS NOT NULL THEN
        RAISE EXCEPTION 'tenant_guard.changes() gains two columns in 0.3.0, but these depend on it: %', dependents
            USING ERRCODE = '2BP01',
                  HINT = 'Drop them, run ALTER EXTENSION tenant_guard UPDATE, and create them again.';
    END IF;
END
$$;
ALTER FUNCTION tenant_guard.changes(text, integer, text) RENAME TO changes_0_2;
DROP FUNCTION tenant_guard._changes(text, integer, text);

-- changes(): batches between ticks; TG022 for a cursor older than the
-- retained history.
CREATE FUNCTION tenant_guard._changes(after text, max_rows integer, only_tenant text)
RETURNS TABLE (next_cursor text, seq bigint, tenant text, rel regclass, op text, pk jsonb, old_row jsonb,
               new_row jsonb, xid xid8, changed_at timestamptz, origin text, actor text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    part text[];
    s1 pg_snapshot;
    s2 pg_snapshot;
    pos_tx bigint;
    pos_seq bigint;
    pos_xid xid8;  -- the transaction the cursor is in (NULL: between transactions)
    wanted integer := max_rows;
    n integer;
    at_now boolean := false;  -- s2 is the caller's snapshot, not a tick
BEGIN
    IF max_rows IS NULL OR max_rows < 1 THEN
        RAISE EXCEPTION 'max_rows must be at least 1' USING ERRCODE = '22023';
    END IF;
    IF after IS NULL THEN  -- from the oldest retained change
        s1 := '1:1:'; pos_tx := -1; pos_seq := -1;
        s2 := tenant_guard._next_tick(s1);
        IF s2 IS NULL THEN s2 := tenant_guard._reader_snapshot(); at_now := true; END IF;
    ELSE
        BEGIN
            -- c1/<s1>/<s2>/<tx position>/<seq>[/<xid>] (0.1.0's cursors have no xid), all
            -- of it: casts alone let '' through, and xid8 takes any text.
            IF after !~ '^c1/[0-9]+:[0-9]+:[0-9,]*/[0-9]+:[0-9]+:[0-9,]*/-?[0-9]+/-?[0-9]+(/[0-9]+)?$' THEN
                RAISE EXCEPTION 'bad';
            END IF;
            part := string_to_array(after, '/');
            s1 := part[2]::pg_snapshot; s2 := part[3]::pg_snapshot;
            pos_tx := part[4]::bigint; pos_seq := part[5]::bigint; pos_xid := part[6]::xid8;
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'invalid cursor "%"', after USING ERRCODE = '22023',
                HINT = 'Pass the cursor column of the last change processed, NULL, or tenant_guard.current_cursor().';
        END;
        -- Every change the cursor has not delivered must still be there.
        IF NOT tenant_guard._sees_all_before(s1, (SELECT max(l.reach_xmax) FROM tenant_guard.log_segment l)) THEN
            RAISE EXCEPTION 'the cursor is older than the retained history' USING ERRCODE = 'TG022',
                DETAIL = format('History up to %s was pruned before this consumer read it.',
                                (SELECT max(l.reach_from) FROM tenant_guard.log_segment l)),
                HINT = 'Resynchronise the consumer, then continue from NULL (the oldest retained change) '
                       'or from tenant_guard.current_cursor().';
        END IF;
    END IF;
    -- Inside a transaction: the rest of it first, by a range scan.
    IF pos_xid IS NOT NULL AND pos_seq < pos_tx THEN
        RETURN QUERY
        SELECT format('c1/%s/%s/%s/%s/%s', s1, s2, pos_tx, c.seq, c.xid), c.seq, c.tenant::text, p.rel, c.op::text,
               c.pk, CASE WHEN c.op = 'U' THEN c.new_row || c.old_row ELSE c.old_row END, c.new_row, c.xid,
               c.changed_at,
               CASE c.origin WHEN 'd' THEN 'dml' WHEN 'u' THEN 'undelete' WHEN 'r' THEN 'rewind' WHEN 'i' THEN 'import' END,
               c.actor
          FROM tenant_guard.change_log_data AS c JOIN tenant_guard.protected_table AS p USING (table_id)
         WHERE c.xid = pos_xid AND c.seq > pos_seq AND (only_tenant IS NULL OR c.tenant = only_tenant)
         ORDER BY c.seq
         LIMIT wanted;
        GET DIAGNOSTICS n = ROW_COUNT;
        wanted := wanted - n;
        IF wanted = 0 THEN RETURN; END IF;
        pos_seq := pos_tx;  -- that transaction is delivered
    END IF;
    -- The rest of the cursor's batch, then the next ones (up to the next tick
    -- each; the last one up to now), until max_rows.
    LOOP
        -- First the batch's transactions that are not fully delivered, with
        -- how many rows each has left (narrow columns only, no image is read
        -- or sorted); then the rows of the first of them, in order of their
        -- last change, fetched by xid.
        RETURN QUERY
        WITH tx AS (
            SELECT c.xid, max(c.seq) AS tx_pos,
                   CASE WHEN max(c.seq) = pos_tx THEN count(*) FILTER (WHERE c.seq > pos_seq)
                        ELSE count(*) END AS rows_left
              FROM tenant_guard.change_log_data AS c
             WHERE c.xid >= pg_snapshot_xmin(s1) AND c.xid < pg_snapshot_xmax(s2)
               AND pg_visible_in_snapshot(c.xid, s2) AND NOT pg_visible_in_snapshot(c.xid, s1)
               AND (only_tenant IS NULL OR c.tenant = only_tenant)
             GROUP BY c.xid
            HAVING max(c.seq) >= pos_tx),
        chosen AS (
            SELECT t.xid, t.tx_pos
              FROM (SELECT tx.*, sum(tx.rows_left) OVER (ORDER BY tx.tx_pos) - tx.rows_left AS rows_before
                      FROM tx WHERE tx.rows_left > 0) AS t
             WHERE t.rows_before < wanted)
        SELECT format('c1/%s/%s/%s/%s/%s', s1, s2, x.tx_pos, b.seq, b.xid), b.seq, b.tenant::text, p.rel, b.op::text, b.pk,
               CASE WHEN b.op = 'U' THEN b.new_row || b.old_row ELSE b.old_row END, b.new_row, b.xid, b.changed_at,
               CASE b.origin WHEN 'd' THEN 'dml' WHEN 'u' THEN 'undelete' WHEN 'r' THEN 'rewind' WHEN 'i' THEN 'import' END,
               b.actor
          FROM chosen AS x
         CROSS JOIN LATERAL (SELECT c.* FROM tenant_guard.change_log_data AS c
                              WHERE c.xid = x.xid AND (only_tenant IS NULL OR c.tenant = only_tenant)
                                AND (x.tx_pos, c.seq) > (pos_tx, pos_seq)) AS b
          JOIN tenant_guard.protected_table AS p USING (table_id)
         ORDER BY x.tx_pos, b.seq
         LIMIT wanted;
        GET DIAGNOSTICS n = ROW_COUNT;
        wanted := wanted - n;
        EXIT WHEN wanted = 0 OR at_now;
        s1 := s2; pos_tx := -1; pos_seq := -1;
        s2 := tenant_guard._next_tick(s1);
        IF s2 IS NULL THEN s2 := tenant_guard._reader_snapshot(); at_now := true; END IF;
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION tenant_guard._changes(text, integer, text) FROM PUBLIC;

CREATE FUNCTION tenant_guard.changes(cursor text DEFAULT NULL, max_rows integer DEFAULT 1000, tenant text DEFAULT NULL)
RETURNS TABLE (cursor text, seq bigint, tenant text, rel regclass, op text, pk jsonb, old_row jsonb,
               new_row jsonb, xid xid8, changed_at timestamptz, origin text, actor text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM tenant_guard._changes($1, $2, $3) $$;
REVOKE EXECUTE ON FUNCTION tenant_guard.changes(text, integer, text) FROM PUBLIC;
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT a.grantee::regrole AS grantee, a.is_grantable
               FROM pg_proc p, aclexplode(p.proacl) AS a
              WHERE p.oid = 'tenant_guard.changes_0_2(text, integer, text)'::regprocedure
                AND a.privilege_type = 'EXECUTE' AND a.grantee <> 0 AND a.grantee <> p.proowner LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION tenant_guard.changes(text, integer, text) TO %s%s',
                       g.grantee, CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$$;
DROP FUNCTION tenant_guard.changes_0_2(text, integer, text);
