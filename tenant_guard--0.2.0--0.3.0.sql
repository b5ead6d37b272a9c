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
-- Parameter privileges are the cluster's, not a database's: granted only
-- where the cluster holds none for these two yet (its first CREATE
-- EXTENSION, or a cluster that never had them), so that creating the
-- extension in another database, or restoring a dump into a cluster that
-- got the DBA's grants back from pg_dumpall -g, never undoes a REVOKE the
-- DBA made (REVOKE SET ON PARAMETER tenant_guard.tenant FROM PUBLIC makes
-- the pins set with ALTER ROLE ... SET binding).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_parameter_acl
                    WHERE parname OPERATOR(pg_catalog.=) ANY ('{tenant_guard.actor,tenant_guard.tenant}'::text[])) THEN
        GRANT SET ON PARAMETER tenant_guard.actor, tenant_guard.tenant TO PUBLIC;
    ELSIF NOT pg_catalog.has_parameter_privilege('public', 'tenant_guard.tenant', 'SET') THEN
        RAISE NOTICE 'SET on tenant_guard.tenant is not granted to PUBLIC in this cluster: roles pinned with ALTER ROLE ... SET tenant_guard.tenant cannot change their pin';
    END IF;
END
$$;

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

-- New partitions made inside CREATE SCHEMA ... CREATE TABLE ... PARTITION OF
-- get their triggers too (the schema's elements fire no event trigger of
-- their own).
DROP EVENT TRIGGER tenant_guard_ddl_command_end;
CREATE EVENT TRIGGER tenant_guard_ddl_command_end ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'CREATE SCHEMA')
    EXECUTE FUNCTION tenant_guard.on_ddl_command_end();
ALTER EVENT TRIGGER tenant_guard_ddl_command_end ENABLE ALWAYS;

-- ---------------------------------------------------------------------------
-- The change stream after prune() dropped history.
-- ---------------------------------------------------------------------------

-- The oldest retained point of the change stream, where changes(NULL) starts:
-- a snapshot that sees every transaction that wrote to this segment or an
-- older dropped one (all of them had ended when it was dropped), and below its
-- xmax (the greatest reach_xmax) none of the others that were running then or
-- wrote only to later segments: their changes are all retained. A cursor whose
-- first snapshot does not see everything this one sees may have lost changes
-- (TG022). A row of 0.2.0's prune() has none: reach_xmax alone then counts.
ALTER TABLE tenant_guard.log_segment ADD COLUMN reach_snapshot pg_snapshot;

-- prune() as in 0.2.0, and it records each dropped segment's reach_snapshot.
CREATE OR REPLACE FUNCTION tenant_guard.prune()
RETURNS TABLE (history_removed bigint, tombstones_expired bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    policy tenant_guard.retention_policy;
    commit_times boolean := current_setting('track_commit_timestamp') = 'on';
    head bigint;
    oldest timestamptz;
    seg tenant_guard.log_segment;
    seg_name text;
    seg_rows bigint;
    reach timestamptz;
    seg_xmax xid8;
    prev_point pg_snapshot;
    point_xmax xid8;
    point_xip xid8[];
    point pg_snapshot;
    expired_history bigint;
    saved_lock_timeout text := current_setting('lock_timeout');
BEGIN
    history_removed := 0;
    tombstones_expired := 0;
    PERFORM pg_advisory_xact_lock(hashtext('tenant_guard.prune'));
    PERFORM tenant_guard._adopt_history();
    SELECT * INTO policy FROM tenant_guard.retention_policy;
    IF NOT FOUND THEN
        RAISE NOTICE 'no retention policy is set: nothing was pruned'
            USING HINT = 'Set one with tenant_guard.set_retention(history, tombstones).';
        RETURN NEXT;
        RETURN;
    END IF;

    IF policy.history IS NOT NULL THEN
        SELECT last_value >> 44 INTO head FROM tenant_guard.change_seq;
        -- Segments the sequence moved past without a record (a prune that
        -- failed after moving it): closed now, conservatively.
        INSERT INTO tenant_guard.log_segment (segment, closed_at, closed_snapshot)
        SELECT substr(c.relname, 12)::bigint, clock_timestamp(), pg_current_snapshot()
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'tenant_guard.change_log_data'::regclass
           AND substr(c.relname, 12)::bigint < head
        ON CONFLICT (segment) DO NOTHING;

        -- Close the current segment: new changes go to the next one, which exists.
        EXECUTE format('SELECT changed_at FROM tenant_guard.%I ORDER BY xid LIMIT 1',
                       'change_log_' || lpad(head::text, 6, '0')) INTO oldest;
        IF oldest < now() - policy.history / 8
           AND to_regclass(format('tenant_guard.change_log_%s', lpad((head + 1)::text, 6, '0'))) IS NOT NULL THEN
            PERFORM setval('tenant_guard.change_seq', (head + 1) << 44, false);
            INSERT INTO tenant_guard.log_segment (segment, closed_at, closed_snapshot)
            VALUES (head, clock_timestamp(), pg_current_snapshot());
            head := head + 1;
        END IF;
        PERFORM tenant_guard._create_segment(head + 1);

        -- Drop closed segments older than the policy, oldest first. A
        -- transaction that wrote to a segment holds a lock on it until it
        -- ends: once the segment is locked, all its writers have ended.
        FOR seg IN SELECT * FROM tenant_guard.log_segment l
                    WHERE l.dropped_at IS NULL AND l.segment < head ORDER BY l.segment LOOP
            EXIT WHEN seg.closed_at >= now() - policy.history;
            seg_name := 'change_log_' || lpad(seg.segment::text, 6, '0');
            seg_rows := 0;
            seg_xmax := NULL;
            reach := seg.closed_at;
            -- The oldest retained point so far (of the last dropped segment).
            SELECT coalesce(l.reach_snapshot, format('%1$s:%1$s:', m.reach_xmax)::pg_snapshot) INTO prev_point
              FROM (SELECT max(l.reach_xmax) AS reach_xmax FROM tenant_guard.log_segment l) AS m
              LEFT JOIN (SELECT l.reach_snapshot FROM tenant_guard.log_segment l
                          WHERE l.dropped_at IS NOT NULL ORDER BY l.segment DESC LIMIT 1) AS l ON true
             WHERE m.reach_xmax IS NOT NULL;
            point := prev_point;
            IF to_regclass(format('tenant_guard.%I', seg_name)) IS NOT NULL THEN
                BEGIN
                    PERFORM set_config('lock_timeout', '2s', true);
                    EXECUTE format('LOCK TABLE tenant_guard.%I IN ACCESS EXCLUSIVE MODE', seg_name);
                    LOCK TABLE tenant_guard.change_log_data IN ACCESS EXCLUSIVE MODE;
                    PERFORM set_config('lock_timeout', saved_lock_timeout, true);
                EXCEPTION WHEN lock_not_available THEN
                    RAISE NOTICE 'the change log is busy: segment % is left for the next prune', seg.segment;
                    EXIT;
                END;
                EXECUTE format('SELECT count(*), max(xid) FROM tenant_guard.%I', seg_name) INTO seg_rows, seg_xmax;
                -- Transactions still running when the segment closed may have
                -- committed (and changed more) later: rewinds must not reach
                -- back into them.
                EXECUTE format('SELECT max(greatest(CASE WHEN $1 THEN pg_xact_commit_timestamp(w.xid::xid) END,
                                    (SELECT max(c.changed_at) FROM tenant_guard.change_log_data c WHERE c.xid = w.xid)))
                                  FROM (SELECT DISTINCT s.xid FROM tenant_guard.%I s WHERE s.xid >= $2) w', seg_name)
                   INTO reach USING commit_times, pg_snapshot_xmin(seg.closed_snapshot);
                reach := greatest(reach, seg.closed_at);
                -- The new oldest retained point (see log_segment.reach_snapshot).
                -- Below its xmax, the transactions that may still have changes
                -- in later segments are those running now or when the segment
                -- closed and those found there; of these, the ones that wrote
                -- to this segment or an older dropped one count as seen.
                point_xmax := greatest((seg_xmax::text::bigint + 1)::text::xid8, pg_snapshot_xmax(prev_point));
                EXECUTE format('SELECT array_agg(w.x ORDER BY w.x)
                                  FROM (SELECT pg_snapshot_xip(pg_current_snapshot())
                                        UNION SELECT pg_snapshot_xip($1)
                                        UNION SELECT DISTINCT c.xid FROM tenant_guard.change_log_data c
                                               WHERE c.xid < $2 AND c.seq >= $3) AS w(x)
                                 WHERE w.x < $2
                                   AND NOT EXISTS (SELECT 1 FROM tenant_guard.%I s WHERE s.xid = w.x)
                                   AND ($4 IS NULL OR w.x >= pg_snapshot_xmax($4)
                                        OR w.x IN (SELECT pg_snapshot_xip($4)))', seg_name)
                   INTO point_xip USING seg.closed_snapshot, point_xmax, (seg.segment + 1) << 44, prev_point;
                IF point_xmax IS NOT NULL THEN
                    point := format('%s:%s:%s', coalesce(point_xip[1], point_xmax), point_xmax,
                                    array_to_string(point_xip, ','))::pg_snapshot;
                END IF;
                IF EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_class'::regclass
                              AND d.objid = format('tenant_guard.%I', seg_name)::regclass
                              AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e') THEN
                    EXECUTE format('ALTER EXTENSION tenant_guard DROP TABLE tenant_guard.%I', seg_name);
                END IF;
                EXECUTE format('DROP TABLE tenant_guard.%I', seg_name);
            END IF;
            DELETE FROM tenant_guard.cdc_tick t WHERE t.tick_seq < (seg.segment + 1) << 44;
            UPDATE tenant_guard.log_segment l
               SET dropped_at = now(), history_removed = seg_rows, reach_from = reach,
                   reach_xmax = (seg_xmax::text::bigint + 1)::text::xid8, reach_snapshot = point
             WHERE l.segment = seg.segment;
            history_removed := history_removed + seg_rows;
        END LOOP;
    END IF;

    IF policy.tombstones IS NOT NULL THEN
        WITH gone AS (
            DELETE FROM tenant_guard.tombstone_data t WHERE t.deleted_at < now() - policy.tombstones
            RETURNING t.tombstone_id, t.table_id, t.tenant, t.pk, t.xid, t.deleted_at),
        history AS (
            DELETE FROM tenant_guard.change_log_data c USING gone g
             WHERE c.tenant = g.tenant AND c.table_id = g.table_id AND c.pk = g.pk AND c.seq <= g.tombstone_id
            RETURNING c.tenant),
        history_per_tenant AS (SELECT h.tenant, count(*) AS n FROM history h GROUP BY h.tenant),
        per_tenant AS (
            SELECT g.tenant, count(*) AS n, array_agg(DISTINCT p.rel::text) AS tables, max(g.xid) AS max_xid,
                   max(coalesce(CASE WHEN commit_times THEN pg_xact_commit_timestamp(g.xid::xid) END,
                                g.deleted_at)) AS reach
              FROM gone g JOIN tenant_guard.protected_table p USING (table_id)
             GROUP BY g.tenant),
        receipts AS (
            INSERT INTO tenant_guard.purge_receipt (act, tenant, tables, live_deleted, tombstones_deleted,
                                                    history_deleted, reason)
            SELECT 'expire', t.tenant, t.tables, 0, t.n, coalesce(h.n, 0),
                   format('retention policy: tombstones older than %s', policy.tombstones)
              FROM per_tenant t LEFT JOIN history_per_tenant h USING (tenant)),
        reaches AS (
            INSERT INTO tenant_guard.tenant_reach AS r (tenant, reach_from, reach_xmax)
            SELECT t.tenant, t.reach, (t.max_xid::text::bigint + 1)::text::xid8 FROM per_tenant t
            ON CONFLICT (tenant) DO UPDATE
               SET reach_from = greatest(r.reach_from, excluded.reach_from),
                   reach_xmax = greatest(r.reach_xmax, excluded.reach_xmax))
        SELECT coalesce((SELECT sum(t.n) FROM per_tenant t), 0),
               coalesce((SELECT sum(h.n) FROM history_per_tenant h), 0)
          INTO tombstones_expired, expired_history;
        history_removed := history_removed + expired_history;
    END IF;
    RETURN NEXT;
END
$$;

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

-- changes(): batches between ticks, from the oldest retained point (NULL) or
-- a cursor; TG022 for a cursor older than the retained history.
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
    retained pg_snapshot;     -- the oldest retained point (NULL: nothing was pruned)
BEGIN
    IF max_rows IS NULL OR max_rows < 1 THEN
        RAISE EXCEPTION 'max_rows must be at least 1' USING ERRCODE = '22023';
    END IF;
    -- See log_segment.reach_snapshot; a segment dropped by 0.2.0 has only reach_xmax.
    -- Read once a prune() that is dropping a segment has ended (it holds the
    -- log's lock; the lock is the one the reads below take): else the call
    -- would read the log after the drop but start from before it, and the
    -- next call would refuse its cursors.
    LOCK TABLE tenant_guard.change_log_data IN ACCESS SHARE MODE;
    SELECT coalesce(l.reach_snapshot, format('%1$s:%1$s:', m.reach_xmax)::pg_snapshot) INTO retained
      FROM (SELECT max(l.reach_xmax) AS reach_xmax FROM tenant_guard.log_segment l) AS m
      LEFT JOIN (SELECT l.reach_snapshot FROM tenant_guard.log_segment l
                  WHERE l.dropped_at IS NOT NULL ORDER BY l.segment DESC LIMIT 1) AS l ON true
     WHERE m.reach_xmax IS NOT NULL;
    IF after IS NULL THEN
        -- From the oldest retained point: a first snapshot of '1:1:' would
        -- fail the check below at the next call once history is pruned.
        s1 := coalesce(retained, '1:1:'); pos_tx := -1; pos_seq := -1;
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
        -- Every change the cursor has not delivered must still be there: s1
        -- sees every transaction the oldest retained point sees.
        IF retained IS NOT NULL
           AND NOT (pg_snapshot_xmax(retained) <= pg_snapshot_xmax(s1)
                    AND NOT EXISTS (SELECT 1 FROM pg_snapshot_xip(s1) AS x
                                     WHERE x < pg_snapshot_xmax(retained)
                                       AND x NOT IN (SELECT pg_snapshot_xip(retained)))) THEN
            RAISE EXCEPTION 'the cursor is older than the retained history' USING ERRCODE = 'TG022',
                DETAIL = format('History up to %s was pruned before this consumer read it.',
                                (SELECT max(l.reach_from) FROM tenant_guard.log_segment l)),
                HINT = format('Resynchronise the consumer, then continue from the oldest retained change (NULL, '
                              'or the cursor c1/%s/%s/-1/-1) or from now on (tenant_guard.current_cursor()).',
                              retained, retained);
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
