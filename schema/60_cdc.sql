-- The change stream (CDC): changes(cursor, max_rows, tenant) delivers every
-- committed change once, in an order that keeps each transaction's changes
-- together and changes to the same row in the order they happened;
-- current_cursor() is where "from now on" starts.
-- C++: src/extension/log_writer.cpp writes the ticks (write_tick_if_due);
-- the reader is SQL (_changes). src/cli/commands/cmd_tail.cpp is its consumer.
--
-- The log is cut into batches between two snapshots, as PgQ does: a batch
-- holds the changes of the transactions that committed after the first
-- snapshot and before the second; nothing committed is skipped, nothing
-- uncommitted shown. Inside a batch, transactions come in the order of their
-- last change (seq is an uncached sequence, so in real time): a transaction
-- that changed a row after another committed its change to it comes after
-- it, and each transaction's changes stay together.
-- Cursor: c1/<snapshot 1>/<snapshot 2>/<position of the transaction>/<seq>[/<xid>]
-- (0.1.0's cursors have no xid).

-- The caller's snapshot, its own transaction counted as still running (its
-- changes are not committed: they belong to a later batch).
CREATE FUNCTION tenant_guard._reader_snapshot()
RETURNS pg_snapshot
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
    WITH s AS (SELECT pg_current_snapshot() AS snap, pg_current_xact_id_if_assigned() AS own)
    SELECT CASE WHEN own IS NULL OR own >= pg_snapshot_xmax(snap) THEN snap
                ELSE format('%s:%s:%s', least(pg_snapshot_xmin(snap), own), pg_snapshot_xmax(snap),
                            array_to_string(ARRAY(SELECT x FROM pg_snapshot_xip(snap) AS x
                                                  UNION SELECT own ORDER BY 1), ','))::pg_snapshot END
      FROM s
$$;

CREATE FUNCTION tenant_guard.current_cursor()
RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('c1/%s/%s/-1/-1', s, s) FROM tenant_guard._reader_snapshot() AS s
$$;

-- CDC ticks: every 2^@TICK_BITS@ changes, the statement that passes the mark
-- records a snapshot (its own transaction counted as running). changes() cuts
-- the stream into batches between consecutive ticks, so each call's work is
-- bounded by a batch, not by the consumer's backlog. Not dumped: the xids of
-- a restored database are not those of the original.
CREATE TABLE tenant_guard.cdc_tick (
    tick_seq  bigint PRIMARY KEY,   -- the last seq of the statement that took it
    tick_xmax xid8 NOT NULL,
    snapshot  pg_snapshot NOT NULL
);
CREATE INDEX cdc_tick_xmax_idx ON tenant_guard.cdc_tick (tick_xmax);

-- Where a transaction's changes ended, kept when an erasure (purge, tombstone
-- expiry, a TRUNCATE allowed in a test database) removes its last change and
-- leaves others: the stream orders a batch's transactions by their last
-- change, so without this the transaction would move before a cursor that had
-- passed it, and its remaining changes would never be delivered. tenant NULL:
-- the position in the whole stream; a tenant: in that tenant's stream
-- (changes(tenant => ...)). Written by the trigger below only, read by
-- _changes, removed with the segment that held the transaction's last change
-- (prune()) or once nothing of the transaction (of that tenant) is left.
CREATE TABLE tenant_guard.cdc_erased_end (
    xid      xid8 NOT NULL,
    tenant   text COLLATE "C",
    last_seq bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (xid, tenant)
);
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.cdc_erased_end', '');

-- After every DELETE from the log (one statement trigger on the parent sees
-- every segment's rows): records the erased end of each transaction, in the
-- whole stream and in each tenant's, that still has changes before it, and
-- forgets the ends of transactions (tenants) with nothing left, so that a
-- purged tenant leaves no trace here.
CREATE FUNCTION tenant_guard._keep_erased_ends()
RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM tenant_guard.cdc_erased_end AS e
     WHERE e.xid IN (SELECT x.xid FROM erased AS x)
       AND NOT EXISTS (SELECT 1 FROM tenant_guard.change_log_data AS c
                        WHERE c.xid = e.xid AND (e.tenant IS NULL OR c.tenant = e.tenant));
    INSERT INTO tenant_guard.cdc_erased_end AS e (xid, tenant, last_seq)
    SELECT g.xid, g.tenant, g.last_seq
      FROM (SELECT x.xid, NULL::text AS tenant, max(x.seq) AS last_seq FROM erased AS x GROUP BY x.xid
            UNION ALL
            SELECT x.xid, x.tenant, max(x.seq) FROM erased AS x GROUP BY x.xid, x.tenant) AS g
     WHERE g.last_seq > CASE WHEN g.tenant IS NULL
                             THEN (SELECT max(c.seq) FROM tenant_guard.change_log_data AS c WHERE c.xid = g.xid)
                             ELSE (SELECT max(c.seq) FROM tenant_guard.change_log_data AS c
                                    WHERE c.tenant = g.tenant AND c.xid = g.xid) END
    ON CONFLICT (xid, tenant) DO UPDATE SET last_seq = greatest(e.last_seq, excluded.last_seq);
    RETURN NULL;
END
$$;
CREATE TRIGGER tenant_guard_keep_erased_ends AFTER DELETE ON tenant_guard.change_log_data
    REFERENCING OLD TABLE AS erased FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard._keep_erased_ends();
ALTER TABLE tenant_guard.change_log_data ENABLE ALWAYS TRIGGER tenant_guard_keep_erased_ends;

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

-- The reader: batches between ticks, from the oldest retained point (NULL) or
-- a cursor; 22023 for a malformed cursor, TG022 for a cursor older than the
-- retained history (log_segment.reach_snapshot, 70_retention.sql). PL/pgSQL
-- cannot name an input and an output column both "cursor", as the contract's
-- changes() does: changes() calls this one (src/extension/changes.cpp).
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
-- The contract's name: calls _changes with the caller's result set (src/extension/changes.cpp).
CREATE FUNCTION tenant_guard.changes(cursor text DEFAULT NULL, max_rows integer DEFAULT 1000, tenant text DEFAULT NULL)
RETURNS TABLE (cursor text, seq bigint, tenant text, rel regclass, op text, pk jsonb, old_row jsonb,
               new_row jsonb, xid xid8, changed_at timestamptz, origin text, actor text)
AS 'MODULE_PATHNAME', 'tg_changes'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;
