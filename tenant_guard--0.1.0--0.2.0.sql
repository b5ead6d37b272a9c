-- tenant_guard 0.1.0 -> 0.2.0
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '0.2.0'" to load this file. \quit

-- Marks the rest of the calling transaction as an import (origin 'import').
CREATE FUNCTION tenant_guard.begin_import() RETURNS void
LANGUAGE c VOLATILE
AS 'MODULE_PATHNAME', 'tg_begin_import';
REVOKE EXECUTE ON FUNCTION tenant_guard.begin_import() FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The change log becomes partitioned by seq into segments, so that prune()
-- removes old history by dropping whole segments instead of deleting rows.
-- Segment n (tenant_guard.change_log_<n>) holds seqs [n * 2^44, (n+1) * 2^44);
-- the capture writes each row straight into its segment. 0.1.0's log table
-- becomes segment 0 (it keeps its rows, indexes and pg_dump registration).
-- ---------------------------------------------------------------------------
ALTER TABLE tenant_guard.change_log_data RENAME TO change_log_000000;
ALTER INDEX tenant_guard.change_log_data_tenant_idx RENAME TO change_log_000000_tenant_idx;
-- (xid, seq) instead of (xid): changes() resumes inside a large transaction
-- by a range scan instead of reading the whole transaction again.
DROP INDEX tenant_guard.change_log_data_xid_idx;
CREATE INDEX change_log_000000_xid_idx ON tenant_guard.change_log_000000 (xid, seq) WITH (deduplicate_items = off);

-- No indexes on the parent: each segment has its own (see _dress_segment), so
-- that a segment created by prune() is an ordinary table for pg_dump, with its
-- own indexes, attached to the extension's parent.
CREATE TABLE tenant_guard.change_log_data (
    LIKE tenant_guard.change_log_000000 INCLUDING COMPRESSION
) PARTITION BY RANGE (seq);
ALTER TABLE tenant_guard.change_log_data REPLICA IDENTITY FULL;
ALTER TABLE tenant_guard.change_log_data
    ATTACH PARTITION tenant_guard.change_log_000000 FOR VALUES FROM (MINVALUE) TO (17592186044416);

-- Gives a new segment the indexes and replica identity of the log (see the
-- 0.1.0 script for why these two indexes and no other).
CREATE FUNCTION tenant_guard._dress_segment(segment regclass)
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
END
$$;

-- Creates segment n (empty, attached, dressed) unless it exists.
CREATE FUNCTION tenant_guard._create_segment(n bigint)
RETURNS regclass
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name text := format('change_log_%s', lpad(n::text, 6, '0'));
    seg regclass := to_regclass(format('tenant_guard.%I', name));
BEGIN
    IF seg IS NULL THEN
        EXECUTE format('CREATE TABLE tenant_guard.%I PARTITION OF tenant_guard.change_log_data '
                       'FOR VALUES FROM (%s) TO (%s)', name, n << 44, (n + 1) << 44);
        seg := format('tenant_guard.%I', name)::regclass;
        PERFORM tenant_guard._dress_segment(seg);
    END IF;
    RETURN seg;
END
$$;

-- The next segment always exists before the sequence is moved into it.
SELECT tenant_guard._create_segment(1);
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.change_log_000001', '');

-- Views over the log now read the partitioned table.
CREATE OR REPLACE VIEW tenant_guard.change_log AS
SELECT c.seq, c.tenant, p.rel,
       c.op::text AS op,
       c.pk,
       CASE WHEN c.op = 'U' THEN c.new_row || c.old_row ELSE c.old_row END AS old_row,
       c.new_row, c.xid, c.changed_at, c.changed_by, c.actor,
       CASE c.origin WHEN 'd' THEN 'dml' WHEN 'u' THEN 'undelete'
                     WHEN 'r' THEN 'rewind' WHEN 'i' THEN 'import' END AS origin
  FROM tenant_guard.change_log_data c
  JOIN tenant_guard.protected_table p USING (table_id);

-- ---------------------------------------------------------------------------
-- Retention.
-- ---------------------------------------------------------------------------

-- The policy (one row; none: keep everything).
CREATE TABLE tenant_guard.retention_policy (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    history    interval,           -- NULL: keep history until purged
    tombstones interval,           -- NULL: keep tombstones until purged
    set_at     timestamptz NOT NULL DEFAULT now(),
    set_by     text NOT NULL DEFAULT session_user
);

-- Segments the sequence has moved past. closed_snapshot was taken just after
-- the move: a transaction that was still writing to the segment then is not
-- below its xmin. Once the segment is dropped, reach_from is the earliest time
-- a rewind can still reach, and a mark or cursor must see every transaction
-- below reach_xmax (the segment's last writer + 1).
CREATE TABLE tenant_guard.log_segment (
    segment         bigint PRIMARY KEY,
    closed_at       timestamptz NOT NULL,
    closed_snapshot pg_snapshot NOT NULL,
    dropped_at      timestamptz,
    history_removed bigint,
    reach_from      timestamptz,
    reach_xmax      xid8
);

-- Per tenant, how far back rewinds reach after tombstones expired by policy
-- took the history of their rows with them.
CREATE TABLE tenant_guard.tenant_reach (
    tenant     text COLLATE "C" PRIMARY KEY,
    reach_from timestamptz NOT NULL,
    reach_xmax xid8 NOT NULL  -- a mark must see every transaction below this
);

SELECT pg_catalog.pg_extension_config_dump('tenant_guard.retention_policy', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.log_segment', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.tenant_reach', '');

-- Receipts of expiry by policy have no token.
ALTER TABLE tenant_guard.purge_receipt
    ALTER COLUMN jti DROP NOT NULL,
    ALTER COLUMN key_id DROP NOT NULL,
    ALTER COLUMN token_sha256 DROP NOT NULL;

-- History restored from another cluster (pg_dump of a database, pg_restore
-- into a new cluster): its xids and commit times mean nothing here, so the
-- first mark(), rewind() or prune() after the restore adopts it: rewinds reach back to that moment
-- only, and compare only changes written here (seq from adopted_seq on; seq
-- survives the dump, xids do not). One row per cluster the history has been in;
-- the install's own row has adopted_seq 0.
CREATE TABLE tenant_guard.history_cluster (
    system_id    text NOT NULL,
    adopted_at   timestamptz NOT NULL DEFAULT now(),
    adopted_seq  bigint NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.history_cluster', '');

CREATE FUNCTION tenant_guard._system_id()
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT system_identifier::text FROM pg_control_system() $$;

INSERT INTO tenant_guard.history_cluster (system_id, adopted_seq) VALUES (tenant_guard._system_id(), 0);

CREATE FUNCTION tenant_guard._adopt_history()
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tenant_guard.history_cluster WHERE system_id <> tenant_guard._system_id())
       AND NOT EXISTS (SELECT 1 FROM tenant_guard.history_cluster
                        WHERE system_id = tenant_guard._system_id() AND adopted_seq > 0) THEN
        PERFORM pg_advisory_xact_lock(hashtext('tenant_guard.adopt_history'));
        INSERT INTO tenant_guard.history_cluster (system_id, adopted_seq)
        SELECT tenant_guard._system_id(), s.last_value + 1
          FROM tenant_guard.change_seq AS s
         WHERE NOT EXISTS (SELECT 1 FROM tenant_guard.history_cluster
                            WHERE system_id = tenant_guard._system_id() AND adopted_seq > 0);
    END IF;
END
$$;

-- mark(): a mark taken after a restore from another cluster first adopts
-- the restored history, so that the mark is after the horizon.
CREATE OR REPLACE FUNCTION tenant_guard.mark(name text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'a mark needs a name' USING ERRCODE = '22023';
    END IF;
    PERFORM tenant_guard._adopt_history();
    INSERT INTO tenant_guard.mark_data (name, snapshot) VALUES (mark.name, tenant_guard._reader_snapshot());
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'mark "%" exists already', name USING ERRCODE = '42710', HINT = 'Choose a new name.';
END
$$;

-- True when snapshot s sees (if committed) every transaction below xmax.
CREATE FUNCTION tenant_guard._sees_all_before(s pg_snapshot, xmax xid8)
RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT xmax IS NULL OR (xmax <= pg_snapshot_xmax(s)
                            AND NOT EXISTS (SELECT 1 FROM pg_snapshot_xip(s) AS x WHERE x < xmax))
$$;

-- How far back the history of one tenant reaches (NULLs: to the beginning).
CREATE FUNCTION tenant_guard._reach(tenant text)
RETURNS TABLE (reach_from timestamptz, reach_xmax xid8)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH s AS (SELECT max(l.reach_from) AS reach_from, max(l.reach_xmax) AS reach_xmax
                 FROM tenant_guard.log_segment l WHERE l.dropped_at IS NOT NULL),
         t AS (SELECT r.reach_from, r.reach_xmax FROM tenant_guard.tenant_reach r WHERE r.tenant = _reach.tenant),
         a AS (SELECT max(h.adopted_at) AS reach_from  -- marks from before it: refused by their time
                 FROM tenant_guard.history_cluster h
                WHERE h.system_id = tenant_guard._system_id() AND h.adopted_seq > 0)
    SELECT greatest((SELECT s.reach_from FROM s), (SELECT t.reach_from FROM t), (SELECT a.reach_from FROM a)),
           greatest((SELECT s.reach_xmax FROM s), (SELECT t.reach_xmax FROM t))
$$;

CREATE FUNCTION tenant_guard.set_retention(history interval, tombstones interval DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF history <= interval '0' OR tombstones <= interval '0' THEN
        RAISE EXCEPTION 'retention intervals must be positive' USING ERRCODE = '22023',
            HINT = 'Pass NULL to keep history (or tombstones) until purged.';
    END IF;
    INSERT INTO tenant_guard.retention_policy AS r (history, tombstones) VALUES (history, tombstones)
    ON CONFLICT (only_row) DO UPDATE
       SET history = excluded.history, tombstones = excluded.tombstones, set_at = now(), set_by = session_user;
END
$$;

-- Removes history older than the policy by dropping whole log segments, and
-- expires tombstones older than the policy as a purge by policy would: the
-- tombstone and the change-log rows that carry that row's data (up to its
-- deletion) go, a receipt per tenant records it, and that tenant's rewinds
-- no longer reach back before those deletions.
--
-- The current segment is closed when its oldest change is older than an
-- eighth of the history interval, so history is kept for at least the policy
-- and at most about 1/8 longer (plus the time between two prunes).
-- Dropping a segment waits at most lock_wait for readers of the log; a segment
-- that cannot be locked by then is left for the next prune.
CREATE FUNCTION tenant_guard.prune()
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
                   reach_xmax = (seg_xmax::text::bigint + 1)::text::xid8
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

-- CDC ticks: every 8192 changes, the statement that passes the mark records a
-- snapshot (its own transaction counted as running). changes() cuts the
-- stream into batches between consecutive ticks, so each call's work is
-- bounded by a batch, not by the consumer's backlog. Not dumped: the xids of
-- a restored database are not those of the original.
CREATE TABLE tenant_guard.cdc_tick (
    tick_seq  bigint PRIMARY KEY,   -- the last seq of the statement that took it
    tick_xmax xid8 NOT NULL,
    snapshot  pg_snapshot NOT NULL
);
CREATE INDEX cdc_tick_xmax_idx ON tenant_guard.cdc_tick (tick_xmax);

-- The first tick that sees everything s sees and is later than it (NULL: none).
CREATE FUNCTION tenant_guard._next_tick(s pg_snapshot)
RETURNS pg_snapshot
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.snapshot FROM tenant_guard.cdc_tick AS t
     WHERE t.tick_xmax > pg_snapshot_xmax(s)
       AND NOT EXISTS (SELECT 1 FROM pg_snapshot_xip(t.snapshot) AS x WHERE pg_visible_in_snapshot(x, s))
     ORDER BY t.tick_xmax
     LIMIT 1
$$;

-- changes(): batches between ticks; TG022 for a cursor older than the
-- retained history.
CREATE OR REPLACE FUNCTION tenant_guard._changes(after text, max_rows integer, only_tenant text)
RETURNS TABLE (next_cursor text, seq bigint, tenant text, rel regclass, op text, pk jsonb, old_row jsonb,
               new_row jsonb, xid xid8, changed_at timestamptz)
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
        part := string_to_array(after, '/');
        BEGIN
            -- c1/<s1>/<s2>/<tx position>/<seq>[/<xid>] (0.1.0's cursors have no xid)
            IF array_length(part, 1) NOT IN (5, 6) OR part[1] <> 'c1' THEN RAISE EXCEPTION 'bad'; END IF;
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
               c.changed_at
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
               CASE WHEN b.op = 'U' THEN b.new_row || b.old_row ELSE b.old_row END, b.new_row, b.xid, b.changed_at
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


-- Privileges: as for 0.1.0, nothing for PUBLIC.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA tenant_guard FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_guard.capture(), tenant_guard.statement_start(), tenant_guard.refuse_truncate(),
                          tenant_guard.flag_delete()
    TO PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA tenant_guard FROM PUBLIC;
