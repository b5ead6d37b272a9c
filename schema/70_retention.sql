-- Retention: a policy (set_retention) that prune() applies: history older
-- than the policy goes by dropping whole change-log segments, tombstones older
-- than the policy expire as a purge by policy would (with a receipt).
-- C++: none; prune() is SQL. Segments: 20_change_log.sql and
-- schema_constants.hpp (segment_bits, segment_digits). Rewinds and cursors
-- that would need pruned history are refused from what log_segment and
-- tenant_reach record (75_marks_rewind.sql, 60_cdc.sql).

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
    reach_xmax      xid8,
    -- The oldest retained point of the change stream, where changes(NULL) starts:
    -- a snapshot that sees every transaction that wrote to this segment or an
    -- older dropped one (all of them had ended when it was dropped), and below its
    -- xmax (the greatest reach_xmax) none of the others that were running then or
    -- wrote only to later segments: their changes are all retained. A cursor whose
    -- first snapshot does not see everything this one sees may have lost changes
    -- (TG022). A row of 0.2.0's prune() has none: reach_xmax alone then counts.
    reach_snapshot  pg_snapshot
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

-- A tenant's lock (tenant_lock.hpp) if no other transaction holds it, else
-- false at once: for prune()'s tombstone expiry (src/extension/tenant_lock.cpp).
CREATE FUNCTION tenant_guard._try_lock_tenant(tenant text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'tg_try_lock_tenant'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

-- Removes history older than the policy by dropping whole log segments, and
-- expires tombstones older than the policy as a purge by policy would: the
-- tombstone and the change-log rows that carry that row's data (up to its
-- deletion) go, a receipt per tenant records it, and that tenant's rewinds
-- no longer reach back before those deletions.
--
-- The current segment is closed when its oldest change is older than an
-- eighth of the history interval, so history is kept for at least the policy
-- and at most about 1/8 longer (plus the time between two prunes).
-- Creating the next segment and dropping one wait at most 2 seconds
-- (lock_timeout) for readers of the log, and not at all for the tombstones it holds images for; a segment that
-- cannot be locked is left for the next prune, as are the tombstones to
-- expire when another transaction holds one of them. Each dropped
-- segment records its reach_snapshot. Segment names are change_log_ and the
-- number in @SEGMENT_DIGITS@ digits, read by substring(relname FROM '^change_log_([0-9]+)$').
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
        SELECT last_value >> @SEGMENT_BITS@ INTO head FROM tenant_guard.change_seq;
        -- Segments the sequence moved past without a record (a prune that
        -- failed after moving it): closed now, conservatively.
        -- The number is read only from a segment's name: the planner may test
        -- the condition on pg_class rows before the join keeps the segments
        -- (an attacker's report of 0.14.0: a cast of 'pg_toast_...' failed).
        INSERT INTO tenant_guard.log_segment (segment, closed_at, closed_snapshot)
        SELECT substring(c.relname FROM '^change_log_([0-9]+)$')::bigint, clock_timestamp(), pg_current_snapshot()
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'tenant_guard.change_log_data'::regclass
           AND substring(c.relname FROM '^change_log_([0-9]+)$')::bigint < head
        ON CONFLICT (segment) DO NOTHING;

        -- Close the current segment: new changes go to the next one, which exists.
        EXECUTE format('SELECT changed_at FROM tenant_guard.%I ORDER BY xid LIMIT 1',
                       'change_log_' || lpad(head::text, @SEGMENT_DIGITS@, '0')) INTO oldest;
        IF oldest < now() - policy.history / 8
           AND to_regclass(format('tenant_guard.change_log_%s', lpad((head + 1)::text, @SEGMENT_DIGITS@, '0'))) IS NOT NULL THEN
            PERFORM setval('tenant_guard.change_seq', (head + 1) << @SEGMENT_BITS@, false);
            INSERT INTO tenant_guard.log_segment (segment, closed_at, closed_snapshot)
            VALUES (head, clock_timestamp(), pg_current_snapshot());
            head := head + 1;
        END IF;
        -- The next segment, for the next close. Creating it locks the log
        -- (ACCESS EXCLUSIVE), so it waits at most 2 seconds for the log's
        -- readers, as the drops below do, instead of holding up every
        -- reader queued behind it; when refused, the next prune creates it
        -- (until then the current segment stays open: a segment holds
        -- 2^@SEGMENT_BITS@ seqs, so nothing else waits for it).
        BEGIN
            PERFORM set_config('lock_timeout', '2s', true);
            PERFORM tenant_guard._create_segment(head + 1);
            PERFORM set_config('lock_timeout', saved_lock_timeout, true);
        EXCEPTION WHEN lock_not_available THEN
            RAISE NOTICE 'the change log is in use: segment % is left for the next prune to create', head + 1;
        END;

        -- Drop closed segments older than the policy, oldest first. A
        -- transaction that wrote to a segment holds a lock on it until it
        -- ends: once the segment is locked, all its writers have ended.
        FOR seg IN SELECT * FROM tenant_guard.log_segment l
                    WHERE l.dropped_at IS NULL AND l.segment < head ORDER BY l.segment LOOP
            EXIT WHEN seg.closed_at >= now() - policy.history;
            seg_name := 'change_log_' || lpad(seg.segment::text, @SEGMENT_DIGITS@, '0');
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
                    -- The tombstones whose images this segment holds (moved
                    -- below), without waiting: a purge or undelete holding one
                    -- waits for the log's lock just taken, and waiting for it
                    -- in turn would deadlock.
                    PERFORM 1 FROM tenant_guard.tombstone_data t
                      WHERE t.row_data IS NULL AND t.tombstone_id >= seg.segment << @SEGMENT_BITS@
                        AND t.tombstone_id < (seg.segment + 1) << @SEGMENT_BITS@
                        FOR UPDATE NOWAIT;
                EXCEPTION WHEN lock_not_available THEN
                    RAISE NOTICE 'the change log or a tombstone it holds an image for is in use: segment % is left for the next prune',
                                 seg.segment;
                    EXIT;
                END;
                EXECUTE format('SELECT coalesce(sum(coalesce(entry_rows, 1)), 0), max(xid) FROM tenant_guard.%I', seg_name)
                    INTO seg_rows, seg_xmax;
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
                   INTO point_xip USING seg.closed_snapshot, point_xmax, (seg.segment + 1) << @SEGMENT_BITS@, prev_point;
                IF point_xmax IS NOT NULL THEN
                    point := format('%s:%s:%s', coalesce(point_xip[1], point_xmax), point_xmax,
                                    array_to_string(point_xip, ','))::pg_snapshot;
                END IF;
                -- The tombstones still there keep the images this segment
                -- held for them (25_tombstones.sql).
                EXECUTE format('UPDATE tenant_guard.tombstone_data t SET row_data = s.old_row
                                  FROM tenant_guard.%I s
                                 WHERE t.row_data IS NULL AND t.tombstone_id >= $1 AND t.tombstone_id < $2
                                   AND s.xid = t.xid AND s.seq = t.tombstone_id', seg_name)
                  USING seg.segment << @SEGMENT_BITS@, (seg.segment + 1) << @SEGMENT_BITS@;
                IF EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_class'::regclass
                              AND d.objid = format('tenant_guard.%I', seg_name)::regclass
                              AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e') THEN
                    EXECUTE format('ALTER EXTENSION tenant_guard DROP TABLE tenant_guard.%I', seg_name);
                END IF;
                EXECUTE format('DROP TABLE tenant_guard.%I', seg_name);
            END IF;
            DELETE FROM tenant_guard.cdc_tick t WHERE t.tick_seq < (seg.segment + 1) << @SEGMENT_BITS@;
            DELETE FROM tenant_guard.cdc_erased_end e WHERE e.last_seq < (seg.segment + 1) << @SEGMENT_BITS@;
            UPDATE tenant_guard.log_segment l
               SET dropped_at = now(), history_removed = seg_rows, reach_from = reach,
                   reach_xmax = (seg_xmax::text::bigint + 1)::text::xid8, reach_snapshot = point
             WHERE l.segment = seg.segment;
            history_removed := history_removed + seg_rows;
        END LOOP;
    END IF;

    IF policy.tombstones IS NOT NULL THEN
        -- All the tombstones due, taken without waiting, or none this time: a
        -- purge or undelete that holds one may be waiting for the log's lock
        -- this transaction holds (before 0.10.0 the two deadlocked), and
        -- expiring a row's newer tombstone but not its older one would remove
        -- the older one's image with the history. A log row that holds the
        -- image of a tombstone that stays is never removed. Their tenants'
        -- locks first, without waiting: a rewind, undelete or purge of such a
        -- tenant would read history this removes.
        BEGIN
            IF EXISTS (SELECT 1 FROM (SELECT DISTINCT x.tenant FROM tenant_guard.tombstone_data x
                                       WHERE x.deleted_at < now() - policy.tombstones) AS d
                        WHERE NOT tenant_guard._try_lock_tenant(d.tenant)) THEN
                RAISE EXCEPTION USING ERRCODE = 'lock_not_available';
            END IF;
            -- The expired rows' history goes row by row: their tenants'
            -- entries in those tables become rows first.
            PERFORM tenant_guard._explode_entries(d.table_id, d.tenant)
               FROM (SELECT DISTINCT x.table_id, x.tenant FROM tenant_guard.tombstone_data x
                      WHERE x.deleted_at < now() - policy.tombstones) AS d;
            WITH gone AS (
                DELETE FROM tenant_guard.tombstone_data t
                 WHERE t.tombstone_id IN (SELECT x.tombstone_id FROM tenant_guard.tombstone_data x
                                           WHERE x.deleted_at < now() - policy.tombstones FOR UPDATE NOWAIT)
                RETURNING t.tombstone_id, t.table_id, t.tenant, t.pk, t.xid, t.deleted_at),
            history AS (
                DELETE FROM tenant_guard.change_log_data c USING gone g
                 WHERE c.tenant = g.tenant AND c.table_id = g.table_id AND c.pk = g.pk AND c.seq <= g.tombstone_id
                   AND NOT EXISTS (SELECT 1 FROM tenant_guard.tombstone_data o
                                    WHERE o.tombstone_id = c.seq AND o.xid = c.xid AND o.row_data IS NULL
                                      AND o.tombstone_id NOT IN (SELECT d.tombstone_id FROM gone d))
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
        EXCEPTION WHEN lock_not_available THEN
            RAISE NOTICE 'tombstones due to expire are in use (an undelete, rewind or purge of their tenant is running): they are left for the next prune';
            tombstones_expired := 0;
            expired_history := 0;
        END;
        history_removed := history_removed + expired_history;
    END IF;
    RETURN NEXT;
END
$$;
