-- tenant_guard 0.1.0 install script.
\echo Use "CREATE EXTENSION tenant_guard" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Storage. Application roles get no privilege on any of it: the capture
-- triggers write here through the table AM, without permission checks, and
-- the management functions read it as the extension owner.
-- ---------------------------------------------------------------------------

-- Every table ever protected. table_id is the identity that history refers to:
-- it survives renames (rel is a regclass) and dump/restore (regclass is dumped
-- by name, table_id by value).
CREATE SEQUENCE tenant_guard.table_id_seq AS integer;
CREATE TABLE tenant_guard.protected_table (
    table_id       integer PRIMARY KEY DEFAULT nextval('tenant_guard.table_id_seq'),
    rel            regclass NOT NULL UNIQUE,
    tenant_column  name NOT NULL,
    delete_mode    text NOT NULL CHECK (delete_mode IN ('tombstone', 'flag')),
    flag_column    name,
    protected_at   timestamptz NOT NULL DEFAULT now(),
    protected_by   text NOT NULL DEFAULT session_user,
    unprotected_at timestamptz          -- NULL while protected; history is kept after
);
ALTER SEQUENCE tenant_guard.table_id_seq OWNED BY tenant_guard.protected_table.table_id;

-- Change order. Not cached: a cached sequence hands each backend its own block
-- of numbers, and then seq order would not follow the order changes happened.
CREATE SEQUENCE tenant_guard.change_seq CACHE 1;

-- One row per changed row. op: I/U/D; origin: d(ml), u(ndelete), r(ewind), i(mport).
-- For U, old_row holds only the old values of the columns that changed (the
-- full old image is new_row || old_row): an UPDATE stores one full image.
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
    pk         jsonb NOT NULL,
    old_row    jsonb,
    new_row    jsonb
);
-- Images of wide rows are TOASTed: lz4 compresses several times faster than
-- the default pglz. (MAIN storage, keeping images inline, measured no faster
-- and made the log's heap and its scans much larger.)
ALTER TABLE tenant_guard.change_log_data
    ALTER COLUMN pk SET COMPRESSION lz4,
    ALTER COLUMN old_row SET COMPRESSION lz4,
    ALTER COLUMN new_row SET COMPRESSION lz4;
-- The change stream reads by transaction (changes() cuts the log into
-- batches between two snapshots): one entry per row, all of a statement's rows
-- under one key, so deduplication keeps it small and its insertions cheap.
-- seq needs no index of its own: it comes from a sequence, unique by making.
CREATE INDEX change_log_data_xid_idx ON tenant_guard.change_log_data (xid);
-- Without a primary key the log needs a replica identity to be published for
-- logical replication (CREATE PUBLICATION ... FOR TABLE) and still be purged.
ALTER TABLE tenant_guard.change_log_data REPLICA IDENTITY FULL;
-- Per tenant: purge, tenant_status, the per-tenant stream (tenant, xid range).
CREATE INDEX change_log_data_tenant_idx ON tenant_guard.change_log_data (tenant, xid, seq)
    WITH (deduplicate_items = off);  -- unique keys: deduplication would only cost

-- Rows deleted in tombstone mode. tombstone_id is the seq of the change that
-- deleted the row, so a tombstone and its change-log entry share one number.
CREATE TABLE tenant_guard.tombstone_data (
    tombstone_id bigint NOT NULL,
    xid          xid8 NOT NULL,
    deleted_at   timestamptz NOT NULL,
    table_id     integer NOT NULL,
    tenant       text COLLATE "C" NOT NULL,
    deleted_by   text NOT NULL,
    pk           jsonb NOT NULL,
    row_data     jsonb NOT NULL,
    PRIMARY KEY (tombstone_id)
);
ALTER TABLE tenant_guard.tombstone_data
    ALTER COLUMN pk SET COMPRESSION lz4,
    ALTER COLUMN row_data SET COMPRESSION lz4;
CREATE INDEX tombstone_data_tenant_idx ON tenant_guard.tombstone_data (tenant, table_id, deleted_at)
    WITH (deduplicate_items = off);

-- Public keys of the offline Ed25519 keys that sign purge and unprotect tokens.
CREATE TABLE tenant_guard.purge_key (
    key_id     text PRIMARY KEY,
    public_key text NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now(),
    added_by   text NOT NULL DEFAULT session_user,
    revoked_at timestamptz
);

-- Every token id ever used: a token works once.
CREATE TABLE tenant_guard.used_token (
    jti     text PRIMARY KEY,
    key_id  text NOT NULL,
    used_at timestamptz NOT NULL DEFAULT now()
);

-- What each purge or unprotect did and on whose authority; never row contents.
CREATE SEQUENCE tenant_guard.receipt_id_seq;
CREATE TABLE tenant_guard.purge_receipt (
    receipt_id         bigint PRIMARY KEY DEFAULT nextval('tenant_guard.receipt_id_seq'),
    jti                text NOT NULL,
    key_id             text NOT NULL,
    act                text NOT NULL,
    tenant             text,
    tables             text[] NOT NULL,
    row_keys           jsonb,
    live_deleted       bigint NOT NULL,
    tombstones_deleted bigint NOT NULL,
    history_deleted    bigint NOT NULL,
    reason             text NOT NULL,
    purged_at          timestamptz NOT NULL DEFAULT now(),
    purged_by          text NOT NULL DEFAULT session_user,
    token_sha256       text NOT NULL
);
ALTER SEQUENCE tenant_guard.receipt_id_seq OWNED BY tenant_guard.purge_receipt.receipt_id;

-- Exact restore points: the snapshot says which transactions a mark saw.
CREATE TABLE tenant_guard.mark_data (
    name      text PRIMARY KEY,
    snapshot  pg_snapshot NOT NULL,
    marked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    marked_by text NOT NULL DEFAULT session_user
);

SELECT pg_catalog.pg_extension_config_dump('tenant_guard.mark_data', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.protected_table', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.purge_key', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.used_token', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.purge_receipt', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.receipt_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.table_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.change_seq', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.change_log_data', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.tombstone_data', '');

-- ---------------------------------------------------------------------------
-- Views (the contract's names and columns).
-- ---------------------------------------------------------------------------

CREATE VIEW tenant_guard.protected_tables AS
SELECT rel, tenant_column, delete_mode, flag_column, protected_at, protected_by
  FROM tenant_guard.protected_table
 WHERE unprotected_at IS NULL;

CREATE VIEW tenant_guard.tombstones AS
SELECT t.tombstone_id, p.rel, t.tenant, t.pk, t.row_data, t.deleted_at, t.deleted_by, t.xid
  FROM tenant_guard.tombstone_data t
  JOIN tenant_guard.protected_table p USING (table_id);

CREATE VIEW tenant_guard.change_log AS
SELECT c.seq, c.tenant, p.rel,
       c.op::text AS op,
       c.pk,
       CASE WHEN c.op = 'U' THEN c.new_row || c.old_row ELSE c.old_row END AS old_row,
       c.new_row, c.xid, c.changed_at, c.changed_by, c.actor,
       CASE c.origin WHEN 'd' THEN 'dml' WHEN 'u' THEN 'undelete'
                     WHEN 'r' THEN 'rewind' WHEN 'i' THEN 'import' END AS origin
  FROM tenant_guard.change_log_data c
  JOIN tenant_guard.protected_table p USING (table_id);

CREATE VIEW tenant_guard.marks AS
SELECT name, marked_at, marked_by, snapshot FROM tenant_guard.mark_data;

CREATE VIEW tenant_guard.purge_keys AS
SELECT key_id, public_key, added_at, added_by, revoked_at FROM tenant_guard.purge_key;

CREATE VIEW tenant_guard.purge_receipts AS
SELECT receipt_id, jti, key_id, act, tenant, tables, row_keys, live_deleted, tombstones_deleted,
       history_deleted, reason, purged_at, purged_by, token_sha256
  FROM tenant_guard.purge_receipt;

-- ---------------------------------------------------------------------------
-- Functions (C++ module).
-- ---------------------------------------------------------------------------

CREATE FUNCTION tenant_guard.protect(rel regclass,
                                     tenant_column name DEFAULT 'tenant_id',
                                     delete_mode text DEFAULT 'tombstone',
                                     flag_column name DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'tg_protect'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

CREATE FUNCTION tenant_guard.undelete(tenant text,
                                      rels regclass[] DEFAULT NULL,
                                      deleted_after timestamptz DEFAULT NULL,
                                      on_conflict text DEFAULT 'error',
                                      dry_run boolean DEFAULT false)
RETURNS TABLE (rel regclass, restored bigint, skipped bigint)
AS 'MODULE_PATHNAME', 'tg_undelete'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

-- Signed purge (tokens are made offline; the database holds public keys only).
CREATE FUNCTION tenant_guard.add_purge_key(key_id text, public_key text)
RETURNS void
AS 'MODULE_PATHNAME', 'tg_add_purge_key'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

CREATE FUNCTION tenant_guard.revoke_purge_key(key_id text)
RETURNS void
AS 'MODULE_PATHNAME', 'tg_revoke_purge_key'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

CREATE FUNCTION tenant_guard.database_id()
RETURNS text
AS 'MODULE_PATHNAME', 'tg_database_id'
LANGUAGE C STRICT STABLE;

CREATE FUNCTION tenant_guard.sign_token(claims jsonb, private_key text)
RETURNS text
AS 'MODULE_PATHNAME', 'tg_sign_token'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

CREATE FUNCTION tenant_guard.purge(token text, dry_run boolean DEFAULT false)
RETURNS TABLE (rel regclass, live_deleted bigint, tombstones_deleted bigint, history_deleted bigint)
AS 'MODULE_PATHNAME', 'tg_purge'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

CREATE FUNCTION tenant_guard.unprotect(rel regclass, token text)
RETURNS void
AS 'MODULE_PATHNAME', 'tg_unprotect'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

-- Observability. SQL functions that read the extension's tables as its owner
-- (SECURITY DEFINER, fixed search_path); EXECUTE is the DBA's to grant.
CREATE FUNCTION tenant_guard.status()
RETURNS TABLE (rel regclass, tenant_column name, delete_mode text, tombstones bigint, history_rows bigint,
               oldest_change timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.rel, p.tenant_column, p.delete_mode,
           (SELECT count(*) FROM tenant_guard.tombstone_data t WHERE t.table_id = p.table_id),
           (SELECT count(*) FROM tenant_guard.change_log_data c WHERE c.table_id = p.table_id),
           (SELECT min(c.changed_at) FROM tenant_guard.change_log_data c WHERE c.table_id = p.table_id)
      FROM tenant_guard.protected_table p
     WHERE p.unprotected_at IS NULL
     ORDER BY p.table_id
$$;

-- The same figures for one tenant; reads only that tenant's index entries.
CREATE FUNCTION tenant_guard.tenant_status(tenant text)
RETURNS TABLE (rel regclass, tenant_column name, delete_mode text, tombstones bigint, history_rows bigint,
               oldest_change timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.rel, p.tenant_column, p.delete_mode,
           (SELECT count(*) FROM tenant_guard.tombstone_data t
             WHERE t.tenant = tenant_status.tenant AND t.table_id = p.table_id),
           (SELECT count(*) FROM tenant_guard.change_log_data c
             WHERE c.tenant = tenant_status.tenant AND c.table_id = p.table_id),
           (SELECT min(c.changed_at) FROM tenant_guard.change_log_data c
             WHERE c.tenant = tenant_status.tenant AND c.table_id = p.table_id)
      FROM tenant_guard.protected_table p
     WHERE p.unprotected_at IS NULL
     ORDER BY p.table_id
$$;

-- The change stream (CDC). The log is cut into batches between two snapshots,
-- as PgQ does: a batch holds the changes of the transactions that committed
-- after the first snapshot and before the second; nothing committed is
-- skipped, nothing uncommitted shown. Inside a batch, transactions come in the
-- order of their last change (seq is an uncached sequence, so in real time):
-- a transaction that changed a row after another committed its change to it
-- comes after it, and each transaction's changes stay together.
-- Cursor: c1/<snapshot 1>/<snapshot 2>/<position of the transaction>/<seq>.

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

-- The reader (PL/pgSQL cannot name an input and an output column both
-- "cursor", as the contract's changes() does: it wraps this one).
CREATE FUNCTION tenant_guard._changes(after text, max_rows integer, only_tenant text)
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
    wanted integer := max_rows;
    n integer;
BEGIN
    IF max_rows IS NULL OR max_rows < 1 THEN
        RAISE EXCEPTION 'max_rows must be at least 1' USING ERRCODE = '22023';
    END IF;
    IF after IS NULL THEN  -- from the oldest retained change
        s1 := '1:1:'; s2 := tenant_guard._reader_snapshot(); pos_tx := -1; pos_seq := -1;
    ELSE
        part := string_to_array(after, '/');
        BEGIN
            IF array_length(part, 1) <> 5 OR part[1] <> 'c1' THEN RAISE EXCEPTION 'bad'; END IF;
            s1 := part[2]::pg_snapshot; s2 := part[3]::pg_snapshot;
            pos_tx := part[4]::bigint; pos_seq := part[5]::bigint;
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'invalid cursor "%"', after USING ERRCODE = '22023',
                HINT = 'Pass the cursor column of the last change processed, NULL, or tenant_guard.current_cursor().';
        END;
    END IF;
    -- The rest of the cursor's batch, then at most one more batch, up to now.
    FOR attempt IN 1 .. 2 LOOP
        RETURN QUERY
        WITH batch AS (
            SELECT c.*, max(c.seq) OVER (PARTITION BY c.xid) AS tx_pos
              FROM tenant_guard.change_log_data AS c
             WHERE c.xid >= pg_snapshot_xmin(s1) AND c.xid < pg_snapshot_xmax(s2)
               AND pg_visible_in_snapshot(c.xid, s2) AND NOT pg_visible_in_snapshot(c.xid, s1)
               AND (only_tenant IS NULL OR c.tenant = only_tenant))
        SELECT format('c1/%s/%s/%s/%s', s1, s2, b.tx_pos, b.seq), b.seq, b.tenant::text, p.rel, b.op::text, b.pk,
               CASE WHEN b.op = 'U' THEN b.new_row || b.old_row ELSE b.old_row END, b.new_row, b.xid, b.changed_at
          FROM batch AS b JOIN tenant_guard.protected_table AS p USING (table_id)
         WHERE (b.tx_pos, b.seq) > (pos_tx, pos_seq)
         ORDER BY b.tx_pos, b.seq
         LIMIT wanted;
        GET DIAGNOSTICS n = ROW_COUNT;
        wanted := wanted - n;
        EXIT WHEN wanted = 0 OR attempt = 2;
        s1 := s2; s2 := tenant_guard._reader_snapshot(); pos_tx := -1; pos_seq := -1;
    END LOOP;
END
$$;

CREATE FUNCTION tenant_guard.changes(cursor text DEFAULT NULL, max_rows integer DEFAULT 1000, tenant text DEFAULT NULL)
RETURNS TABLE (cursor text, seq bigint, tenant text, rel regclass, op text, pk jsonb, old_row jsonb,
               new_row jsonb, xid xid8, changed_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM tenant_guard._changes($1, $2, $3) $$;

-- Marks and rewind.
CREATE FUNCTION tenant_guard.mark(name text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'a mark needs a name' USING ERRCODE = '22023';
    END IF;
    INSERT INTO tenant_guard.mark_data (name, snapshot) VALUES (mark.name, tenant_guard._reader_snapshot());
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'mark "%" exists already', name USING ERRCODE = '42710', HINT = 'Choose a new name.';
END
$$;

CREATE FUNCTION tenant_guard.rewind(tenant text, to_time timestamptz DEFAULT NULL, to_mark text DEFAULT NULL,
                                    dry_run boolean DEFAULT false)
RETURNS TABLE (rel regclass, reinserted bigint, reverted bigint, removed bigint)
AS 'MODULE_PATHNAME', 'tg_rewind'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

-- Trigger functions protect() installs on the table and on every partition:
-- capture (AFTER ... FOR EACH STATEMENT, with transition tables), the start of
-- a statement's guard-rail scope, and the refusal of TRUNCATE.
CREATE FUNCTION tenant_guard.capture()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_capture'
LANGUAGE C;

CREATE FUNCTION tenant_guard.statement_start()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_statement_start'
LANGUAGE C;

CREATE FUNCTION tenant_guard.refuse_truncate()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_refuse_truncate'
LANGUAGE C;

-- delete_mode 'flag': BEFORE DELETE ... FOR EACH ROW, sets the flag instead.
CREATE FUNCTION tenant_guard.flag_delete()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_flag_delete'
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

CREATE EVENT TRIGGER tenant_guard_ddl_command_end ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION tenant_guard.on_ddl_command_end();
CREATE EVENT TRIGGER tenant_guard_ddl_command_start ON ddl_command_start
    WHEN TAG IN ('ALTER TABLE', 'DROP TABLE', 'DROP TRIGGER', 'ALTER TRIGGER', 'DROP EXTENSION')
    EXECUTE FUNCTION tenant_guard.on_ddl_command_start();
CREATE EVENT TRIGGER tenant_guard_sql_drop ON sql_drop
    EXECUTE FUNCTION tenant_guard.on_sql_drop();
ALTER EVENT TRIGGER tenant_guard_ddl_command_end ENABLE ALWAYS;
ALTER EVENT TRIGGER tenant_guard_ddl_command_start ENABLE ALWAYS;
ALTER EVENT TRIGGER tenant_guard_sql_drop ENABLE ALWAYS;

-- ---------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC but the trigger functions (which can only be
-- called as triggers). The DBA grants EXECUTE on management functions.
-- ---------------------------------------------------------------------------
REVOKE ALL ON ALL TABLES IN SCHEMA tenant_guard FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA tenant_guard FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA tenant_guard FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_guard.capture(), tenant_guard.statement_start(), tenant_guard.refuse_truncate(),
                          tenant_guard.flag_delete()
    TO PUBLIC;
