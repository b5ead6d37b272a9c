-- tenant_guard 0.13.0 -> 0.14.0: a statement's inserted and updated rows of
-- one table and tenant are logged as one entry (issue 15, item 5): one heap
-- tuple and one entry per index for many rows, their seqs, keys and images
-- as arrays. Every reader reads rows (_change_rows); what rewrites single rows
-- of the history turns entries back into rows first (_explode_entries).
-- Existing history is not rewritten: its rows are read as before.
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '0.14.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- 20_change_log.sql
-- ---------------------------------------------------------------------------
-- Columns added last, without defaults: no rewrite of the log.
ALTER TABLE tenant_guard.change_log_data
    ALTER COLUMN pk DROP NOT NULL,
    ADD COLUMN entry_rows integer,
    ADD COLUMN entry_seqs bigint[] COMPRESSION lz4,
    ADD COLUMN entry_pks jsonb[] COMPRESSION lz4,
    ADD COLUMN entry_old jsonb[] COMPRESSION lz4,
    ADD COLUMN entry_new jsonb[] COMPRESSION lz4;

-- Every change as one row: the log's rows, and each row of its entries. seq
-- is the change's own; entry_end is the seq of the log row that holds it (its
-- own for a row) and ord its position there, so ORDER BY entry_end, ord reads
-- a range of (xid, seq) in seq order, sorting no more than one entry at a
-- time. Filters on the log's own columns reach the log's indexes.
CREATE VIEW tenant_guard._change_rows AS
SELECT e.seq, c.xid, c.changed_at, c.table_id, c.op, c.origin, c.tenant, c.changed_by, c.actor,
       e.pk, e.old_row, e.new_row, c.seq AS entry_end, e.ord
  FROM tenant_guard.change_log_data AS c
 CROSS JOIN LATERAL unnest(coalesce(c.entry_seqs, ARRAY[c.seq]), coalesce(c.entry_pks, ARRAY[c.pk]),
                           coalesce(c.entry_old, ARRAY[c.old_row]), coalesce(c.entry_new, ARRAY[c.new_row]))
       WITH ORDINALITY AS e(seq, pk, old_row, new_row, ord);

-- Turns entries back into one log row per change, with the same seqs, keys
-- and images, for what rewrites or erases single rows of the history. A NULL
-- argument chooses any; entries whose seq lies in one of the ranges
-- [keep_from[i], keep_to[i]] stay. Returns how many entries it turned. The
-- rows go to the entry's own segment (an entry never spans two), and the
-- transaction's last seq stays where it was (the erased-ends trigger records
-- nothing).
CREATE FUNCTION tenant_guard._explode_entries(table_id integer, tenant text, xid xid8 DEFAULT NULL,
                                              seq_from bigint DEFAULT NULL, keep_from bigint[] DEFAULT NULL,
                                              keep_to bigint[] DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
    WITH entries AS (
        DELETE FROM tenant_guard.change_log_data AS c
         WHERE c.entry_seqs IS NOT NULL
           AND (_explode_entries.table_id IS NULL OR c.table_id = _explode_entries.table_id)
           AND (_explode_entries.tenant IS NULL OR c.tenant = _explode_entries.tenant)
           AND (_explode_entries.xid IS NULL OR c.xid = _explode_entries.xid)
           AND (seq_from IS NULL OR c.seq >= seq_from)
           AND NOT EXISTS (SELECT 1 FROM unnest(keep_from, keep_to) AS k(f, t) WHERE c.seq BETWEEN k.f AND k.t)
        RETURNING c.*),
    rows AS (
        INSERT INTO tenant_guard.change_log_data (seq, xid, changed_at, table_id, op, origin, tenant, changed_by,
                                                  actor, pk, old_row, new_row)
        SELECT e.seq, c.xid, c.changed_at, c.table_id, c.op, c.origin, c.tenant, c.changed_by, c.actor,
               e.pk, e.old_row, e.new_row
          FROM entries AS c
         CROSS JOIN LATERAL unnest(c.entry_seqs, c.entry_pks, c.entry_old, c.entry_new) AS e(seq, pk, old_row, new_row)
        RETURNING 1)
    SELECT count(*) FROM entries
$$;

-- The contract's view of the log: the full old image of an update, origin by
-- name.
CREATE OR REPLACE VIEW tenant_guard.change_log AS
SELECT c.seq, c.tenant, p.rel,
       c.op::text AS op,
       c.pk,
       CASE WHEN c.op = 'U' THEN c.new_row || c.old_row ELSE c.old_row END AS old_row,
       c.new_row, c.xid, c.changed_at, c.changed_by, c.actor,
       CASE c.origin WHEN 'd' THEN 'dml' WHEN 'u' THEN 'undelete'
                     WHEN 'r' THEN 'rewind' WHEN 'i' THEN 'import' END AS origin
  FROM tenant_guard._change_rows c
  JOIN tenant_guard.protected_table p USING (table_id);

-- ---------------------------------------------------------------------------
-- 60_cdc.sql
-- ---------------------------------------------------------------------------
-- The reader: batches between ticks, from the oldest retained point (NULL) or
-- a cursor; 22023 for a malformed cursor, TG022 for a cursor older than the
-- retained history (log_segment.reach_snapshot, 70_retention.sql). PL/pgSQL
-- cannot name an input and an output column both "cursor", as the contract's
-- changes() does: changes() calls this one (src/extension/changes.cpp).
CREATE OR REPLACE FUNCTION tenant_guard._changes(after text, max_rows integer, only_tenant text)
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
    prefix text;              -- of the cursors of a batch: its snapshots (and transaction)
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
    -- Inside a transaction: the rest of it first, by a range scan (in seq
    -- order already: no sort).
    IF pos_xid IS NOT NULL AND pos_seq < pos_tx THEN
        prefix := format('c1/%s/%s/%s/', s1, s2, pos_tx);
        RETURN QUERY
        SELECT prefix || c.seq || '/' || c.xid, c.seq, c.tenant::text, c.rel, c.op::text, c.pk,
               CASE WHEN c.op = 'U' THEN c.new_row || c.old_row ELSE c.old_row END, c.new_row, c.xid, c.changed_at,
               CASE c.origin WHEN 'd' THEN 'dml' WHEN 'u' THEN 'undelete' WHEN 'r' THEN 'rewind' WHEN 'i' THEN 'import' END,
               c.actor
          FROM (SELECT c.*, (SELECT p.rel FROM tenant_guard.protected_table AS p WHERE p.table_id = c.table_id) AS rel
                  FROM tenant_guard._change_rows AS c
                 WHERE c.xid = pos_xid AND c.entry_end > pos_seq AND c.seq > pos_seq
                   AND (only_tenant IS NULL OR c.tenant = only_tenant)
                 ORDER BY c.entry_end, c.ord
                 LIMIT wanted) AS c
         ORDER BY c.seq;
        GET DIAGNOSTICS n = ROW_COUNT;
        wanted := wanted - n;
        IF wanted = 0 THEN RETURN; END IF;
        pos_seq := pos_tx;  -- that transaction is delivered
    END IF;
    -- The rest of the cursor's batch, then the next ones (up to the next tick
    -- each; the last one up to now), until max_rows.
    LOOP
        -- First the batch's transactions that are not fully delivered, with
        -- how many rows each has left and how many the ones before it have
        -- (narrow columns only: no image is read); then, in order of their
        -- last change, the rows of each, one range scan of (xid, seq) per
        -- transaction that stops where max_rows is reached (the sort above
        -- it only orders each transaction's rows, which come in order). Each
        -- row is read once: before 0.9.0, once for its key and again by it
        -- (1.45 times the time for transactions of 2,000 rows). An entry
        -- counts its rows (only those of the cursor's transaction read their
        -- seqs).
        prefix := format('c1/%s/%s/', s1, s2);
        RETURN QUERY
        WITH per_xid AS (
            SELECT c.xid, max(c.seq) AS last_seq, sum(coalesce(c.entry_rows, 1)) AS n,
                   sum(CASE WHEN c.seq <= pos_seq THEN 0
                            WHEN c.entry_seqs IS NULL THEN 1
                            WHEN c.xid <> pos_xid THEN c.entry_rows
                            ELSE (SELECT count(*)::integer FROM unnest(c.entry_seqs) AS s WHERE s > pos_seq) END) AS n_after
              FROM tenant_guard.change_log_data AS c
             WHERE c.xid >= pg_snapshot_xmin(s1) AND c.xid < pg_snapshot_xmax(s2)
               AND pg_visible_in_snapshot(c.xid, s2) AND NOT pg_visible_in_snapshot(c.xid, s1)
               AND (only_tenant IS NULL OR c.tenant = only_tenant)
             GROUP BY c.xid),
        -- A transaction's position is its last change, erased or not (cdc_erased_end).
        tx AS (
            SELECT t.xid, t.tx_pos, CASE WHEN t.tx_pos = pos_tx THEN t.n_after ELSE t.n END AS rows_left
              FROM (SELECT g.xid, greatest(g.last_seq, e.last_seq) AS tx_pos, g.n, g.n_after
                      FROM per_xid AS g
                      LEFT JOIN tenant_guard.cdc_erased_end AS e
                        ON e.xid = g.xid AND e.tenant IS NOT DISTINCT FROM only_tenant) AS t
             WHERE t.tx_pos >= pos_tx),
        chosen AS (
            SELECT t.xid, t.tx_pos, t.rows_before
              FROM (SELECT tx.*, sum(tx.rows_left) OVER (ORDER BY tx.tx_pos) - tx.rows_left AS rows_before
                      FROM tx WHERE tx.rows_left > 0) AS t
             WHERE t.rows_before < wanted)
        SELECT prefix || x.tx_pos || '/' || b.seq || '/' || b.xid, b.seq, b.tenant::text, p.rel, b.op::text, b.pk,
               CASE WHEN b.op = 'U' THEN b.new_row || b.old_row ELSE b.old_row END, b.new_row, b.xid, b.changed_at,
               CASE b.origin WHEN 'd' THEN 'dml' WHEN 'u' THEN 'undelete' WHEN 'r' THEN 'rewind' WHEN 'i' THEN 'import' END,
               b.actor
          FROM chosen AS x
         CROSS JOIN LATERAL (SELECT c.* FROM tenant_guard._change_rows AS c
                              WHERE c.xid = x.xid AND (only_tenant IS NULL OR c.tenant = only_tenant)
                                AND (x.tx_pos, c.entry_end) > (pos_tx, pos_seq)
                                AND (x.tx_pos, c.seq) > (pos_tx, pos_seq)
                              ORDER BY c.entry_end, c.ord
                              LIMIT wanted - x.rows_before) AS b
          JOIN tenant_guard.protected_table AS p ON p.table_id = b.table_id
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

-- ---------------------------------------------------------------------------
-- 70_retention.sql
-- ---------------------------------------------------------------------------
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
-- number in 6 digits, read by substring(relname FROM '^change_log_([0-9]+)$').
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
                       'change_log_' || lpad(head::text, 6, '0')) INTO oldest;
        IF oldest < now() - policy.history / 8
           AND to_regclass(format('tenant_guard.change_log_%s', lpad((head + 1)::text, 6, '0'))) IS NOT NULL THEN
            PERFORM setval('tenant_guard.change_seq', (head + 1) << 44, false);
            INSERT INTO tenant_guard.log_segment (segment, closed_at, closed_snapshot)
            VALUES (head, clock_timestamp(), pg_current_snapshot());
            head := head + 1;
        END IF;
        -- The next segment, for the next close. Creating it locks the log
        -- (ACCESS EXCLUSIVE), so it waits at most 2 seconds for the log's
        -- readers, as the drops below do, instead of holding up every
        -- reader queued behind it; when refused, the next prune creates it
        -- (until then the current segment stays open: a segment holds
        -- 2^44 seqs, so nothing else waits for it).
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
                    -- The tombstones whose images this segment holds (moved
                    -- below), without waiting: a purge or undelete holding one
                    -- waits for the log's lock just taken, and waiting for it
                    -- in turn would deadlock.
                    PERFORM 1 FROM tenant_guard.tombstone_data t
                      WHERE t.row_data IS NULL AND t.tombstone_id >= seg.segment << 44
                        AND t.tombstone_id < (seg.segment + 1) << 44
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
                   INTO point_xip USING seg.closed_snapshot, point_xmax, (seg.segment + 1) << 44, prev_point;
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
                  USING seg.segment << 44, (seg.segment + 1) << 44;
                IF EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_class'::regclass
                              AND d.objid = format('tenant_guard.%I', seg_name)::regclass
                              AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e') THEN
                    EXECUTE format('ALTER EXTENSION tenant_guard DROP TABLE tenant_guard.%I', seg_name);
                END IF;
                EXECUTE format('DROP TABLE tenant_guard.%I', seg_name);
            END IF;
            DELETE FROM tenant_guard.cdc_tick t WHERE t.tick_seq < (seg.segment + 1) << 44;
            DELETE FROM tenant_guard.cdc_erased_end e WHERE e.last_seq < (seg.segment + 1) << 44;
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

-- ---------------------------------------------------------------------------
-- 85_status.sql
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION tenant_guard.status()
RETURNS TABLE (rel regclass, tenant_column name, delete_mode text, tombstones bigint, history_rows bigint,
               oldest_change timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.rel, p.tenant_column, p.delete_mode,
           (SELECT count(*) FROM tenant_guard.tombstone_data t WHERE t.table_id = p.table_id),
           (SELECT coalesce(sum(coalesce(c.entry_rows, 1)), 0) FROM tenant_guard.change_log_data c
             WHERE c.table_id = p.table_id),
           (SELECT min(c.changed_at) FROM tenant_guard.change_log_data c WHERE c.table_id = p.table_id)
      FROM tenant_guard.protected_table p
     WHERE p.unprotected_at IS NULL
     ORDER BY p.table_id
$$;

CREATE OR REPLACE FUNCTION tenant_guard.tenant_status(tenant text)
RETURNS TABLE (rel regclass, tenant_column name, delete_mode text, tombstones bigint, history_rows bigint,
               oldest_change timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.rel, p.tenant_column, p.delete_mode,
           (SELECT count(*) FROM tenant_guard.tombstone_data t
             WHERE t.tenant = tenant_status.tenant AND t.table_id = p.table_id),
           (SELECT coalesce(sum(coalesce(c.entry_rows, 1)), 0) FROM tenant_guard.change_log_data c
             WHERE c.tenant = tenant_status.tenant AND c.table_id = p.table_id),
           (SELECT min(c.changed_at) FROM tenant_guard.change_log_data c
             WHERE c.tenant = tenant_status.tenant AND c.table_id = p.table_id)
      FROM tenant_guard.protected_table p
     WHERE p.unprotected_at IS NULL
     ORDER BY p.table_id
$$;


-- ---------------------------------------------------------------------------
-- 90_privileges.sql
-- ---------------------------------------------------------------------------
REVOKE EXECUTE ON FUNCTION tenant_guard._explode_entries(integer, text, xid8, bigint, bigint[], bigint[]) FROM PUBLIC;
