-- The change log: one row per changed row of a protected table, in the
-- same transaction, partitioned by seq into segments that prune() drops whole.
-- C++: src/extension/log_writer.cpp (writes rows straight into their segment
-- with the table AM; the column positions are its LogColumn), catalog.hpp
-- (segment_of, change_log_segment_oid), schema_constants.hpp (segment_bits
-- and segment_digits, the segment width and name width below).
-- Readers: the change_log view here, changes() (60_cdc.sql), rewind
-- (rewind.cpp), purge (purge.cpp), prune() (70_retention.sql). Images are
-- kept in step with the table's DDL by column_history.cpp (DROP COLUMN and
-- retyping record the old values first) and image_migration.cpp (ADD COLUMN
-- and ALTER COLUMN TYPE reach every image).

-- Change order. Not cached: a cached sequence hands each backend its own block
-- of numbers, and then seq order would not follow the order changes happened.
CREATE SEQUENCE tenant_guard.change_seq CACHE 1;
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.change_seq', '');

-- One row per changed row, or one entry for many. op: I/U/D; origin: d(ml),
-- u(ndelete), r(ewind), i(mport) (module.hpp: Origin). For U, old_row holds
-- only the old values of the columns that changed (the full old image is
-- new_row || old_row): an UPDATE stores one full image.
--
-- An entry (entry_seqs not NULL) holds the rows one statement inserted or
-- updated in one table for one tenant, within one segment (issue 15, item 5):
-- their seqs, keys and images as arrays in step, entry_rows of them, and
-- pk, old_row and new_row NULL. Its seq is the last of its rows' seqs: the
-- indexes hold one entry for all of them, and a range scan from a seq finds
-- every entry holding a later row. Within a transaction, entries and rows
-- cover disjoint ranges of seqs (each is written in one go by one backend),
-- so ordering by seq and then by position in the entry is seq order. Every
-- reader of rows reads _change_rows (below); what rewrites history rows
-- (purge of single rows, retention, migrations, the capture order) first
-- turns the entries it touches back into rows (_explode_entries).
--
-- Images of wide rows are TOASTed: lz4 compresses several times faster than
-- the default pglz. (MAIN storage, keeping images inline, measured no faster
-- and made the log's heap and its scans much larger.)
--
-- Segment n (tenant_guard.change_log_<n in @SEGMENT_DIGITS@ digits>) holds
-- the seqs [n * 2^@SEGMENT_BITS@, (n + 1) * 2^@SEGMENT_BITS@); the capture
-- writes each row straight into its segment (no partition routing). No
-- indexes on the parent: each segment has its own (_dress_segment), so that a
-- segment created by prune() is an ordinary table for pg_dump, with its own
-- indexes, attached to the extension's parent. Without a primary key the log
-- needs a replica identity to be published for logical replication (CREATE
-- PUBLICATION ... FOR TABLE) and still be purged: FULL.
CREATE TABLE tenant_guard.change_log_data (
    seq        bigint NOT NULL,
    xid        xid8 NOT NULL,
    changed_at timestamptz NOT NULL,
    table_id   integer NOT NULL,
    op         "char" NOT NULL,
    origin     "char" NOT NULL,
    tenant     text COLLATE "C" NOT NULL,
    changed_by text NOT NULL,
    actor      text,
    pk         jsonb COMPRESSION lz4,
    old_row    jsonb COMPRESSION lz4,
    new_row    jsonb COMPRESSION lz4,
    entry_rows integer,
    entry_seqs bigint[] COMPRESSION lz4,
    entry_pks  jsonb[] COMPRESSION lz4,
    entry_old  jsonb[] COMPRESSION lz4,
    entry_new  jsonb[] COMPRESSION lz4
) PARTITION BY RANGE (seq);
ALTER TABLE tenant_guard.change_log_data REPLICA IDENTITY FULL;

-- Gives a new segment the indexes and replica identity of the log, and the
-- guard against a data-only restore (15_restored_history.sql).
-- The change stream reads by transaction (changes() cuts the log into
-- batches between two snapshots): (xid, seq), so that it resumes inside a
-- large transaction by a range scan instead of reading the whole transaction
-- again. Per tenant: purge, tenant_status, the per-tenant stream (tenant, xid,
-- seq). Keys are unique: deduplication would only cost. seq needs no index of
-- its own: it comes from a sequence, unique by making.
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
    PERFORM tenant_guard._guard_history_table(segment);
END
$$;

-- Creates segment n (empty, attached, dressed) unless it exists.
CREATE FUNCTION tenant_guard._create_segment(n bigint)
RETURNS regclass
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    name text := format('change_log_%s', lpad(n::text, @SEGMENT_DIGITS@, '0'));
    seg regclass := to_regclass(format('tenant_guard.%I', name));
BEGIN
    IF seg IS NULL THEN
        EXECUTE format('CREATE TABLE tenant_guard.%I PARTITION OF tenant_guard.change_log_data '
                       'FOR VALUES FROM (%s) TO (%s)', name, n << @SEGMENT_BITS@, (n + 1) << @SEGMENT_BITS@);
        seg := format('tenant_guard.%I', name)::regclass;
        PERFORM tenant_guard._dress_segment(seg);
    END IF;
    RETURN seg;
END
$$;

-- Segment 0 starts at MINVALUE: in a database updated from 0.1.0 it is
-- 0.1.0's unpartitioned log, which the sequence filled from 1. The next
-- segment always exists before the sequence is moved into it (prune()).
-- Segments made later by prune() are not registered with
-- pg_extension_config_dump: they are ordinary tables, which pg_dump dumps.
CREATE TABLE tenant_guard.change_log_000000 PARTITION OF tenant_guard.change_log_data
    FOR VALUES FROM (MINVALUE) TO (1::bigint << @SEGMENT_BITS@);
SELECT tenant_guard._dress_segment('tenant_guard.change_log_000000');
SELECT tenant_guard._create_segment(1);
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.change_log_000000', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.change_log_000001', '');

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
CREATE VIEW tenant_guard.change_log AS
SELECT c.seq, c.tenant, p.rel,
       c.op::text AS op,
       c.pk,
       CASE WHEN c.op = 'U' THEN c.new_row || c.old_row ELSE c.old_row END AS old_row,
       c.new_row, c.xid, c.changed_at, c.changed_by, c.actor,
       CASE c.origin WHEN 'd' THEN 'dml' WHEN 'u' THEN 'undelete'
                     WHEN 'r' THEN 'rewind' WHEN 'i' THEN 'import' END AS origin
  FROM tenant_guard._change_rows c
  JOIN tenant_guard.protected_table p USING (table_id);

