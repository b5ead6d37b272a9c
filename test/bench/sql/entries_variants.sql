-- entries.sh: the history layouts it compares, each on its own copy of the
-- narrow table (sql/narrow.sql's columns). Statement-level PL/pgSQL triggers
-- with transition tables, so that the layouts differ only in what they write:
--   e_row_jsonb   one log row per changed row, jsonb images (today's layout,
--                 with the two indexes of tenant_guard's segments)
--   e_entry_jsonb one entry per statement, table and tenant: its rows' images
--                 as one jsonb array
--   e_entry_text  the same, each row as its record's text (row::text: every
--                 column's output function, portable by PostgreSQL's contract)
--   e_entry_rec   the same, as an array of the table's own row type (the
--                 lower bound: no conversion at all; not a candidate as it is,
--                 since a column of the row type blocks ALTER COLUMN TYPE)
CREATE SEQUENCE entry_seq;

CREATE FUNCTION entry_log(name text, images text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I (seq bigint NOT NULL DEFAULT nextval(''entry_seq''), xid xid8 NOT NULL, '
                   'changed_at timestamptz NOT NULL, table_id int NOT NULL, op "char" NOT NULL, '
                   'tenant text COLLATE "C" NOT NULL, changed_by text NOT NULL, %s)', name, images);
    EXECUTE format('CREATE INDEX ON %I (xid, seq) WITH (deduplicate_items = off)', name);
    EXECUTE format('CREATE INDEX ON %I (tenant, xid, seq) WITH (deduplicate_items = off)', name);
END $$;

DO $$
DECLARE v text;
BEGIN
    FOREACH v IN ARRAY ARRAY['e_baseline', 'e_row_jsonb', 'e_entry_jsonb', 'e_entry_text', 'e_entry_rec', 'e_tenant_guard'] LOOP
        EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY, tenant_id int NOT NULL, name text, qty int, '
                       'price numeric(12,2), updated_at timestamptz)', v);
    END LOOP;
END $$;

SELECT entry_log('log_row_jsonb', 'pk jsonb COMPRESSION lz4 NOT NULL, old_row jsonb COMPRESSION lz4, new_row jsonb COMPRESSION lz4');
SELECT entry_log('log_entry_jsonb', 'n int NOT NULL, pks jsonb COMPRESSION lz4 NOT NULL, old_rows jsonb COMPRESSION lz4, new_rows jsonb COMPRESSION lz4');
SELECT entry_log('log_entry_text', 'n int NOT NULL, old_rows text[] COMPRESSION lz4, new_rows text[] COMPRESSION lz4');
SELECT entry_log('log_entry_rec', 'n int NOT NULL, old_rows e_entry_rec[] COMPRESSION lz4, new_rows e_entry_rec[] COMPRESSION lz4');

-- old_rows / new_rows are the transition tables (absent ones are empty).
CREATE FUNCTION capture_row_jsonb() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO log_row_jsonb (xid, changed_at, table_id, op, tenant, changed_by, pk, new_row)
        SELECT pg_current_xact_id(), now(), 1, 'I', i ->> 'tenant_id', current_user, jsonb_build_object('id', i -> 'id'), i
          FROM (SELECT to_jsonb(n) AS i FROM new_rows n) AS s;
    ELSE
        INSERT INTO log_row_jsonb (xid, changed_at, table_id, op, tenant, changed_by, pk, old_row, new_row)
        SELECT pg_current_xact_id(), now(), 1, 'U', n.i ->> 'tenant_id', current_user, jsonb_build_object('id', n.i -> 'id'), o.i, n.i
          FROM (SELECT to_jsonb(x) AS i FROM new_rows x) AS n
          JOIN (SELECT to_jsonb(x) AS i FROM old_rows x) AS o ON o.i -> 'id' = n.i -> 'id';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION capture_entry_jsonb() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO log_entry_jsonb (xid, changed_at, table_id, op, tenant, changed_by, n, pks, new_rows)
        SELECT pg_current_xact_id(), now(), 1, 'I', n.tenant_id::text, current_user, count(*),
               jsonb_agg(jsonb_build_object('id', n.id) ORDER BY n.id), jsonb_agg(to_jsonb(n) ORDER BY n.id)
          FROM new_rows n GROUP BY n.tenant_id;
    ELSE
        INSERT INTO log_entry_jsonb (xid, changed_at, table_id, op, tenant, changed_by, n, pks, old_rows, new_rows)
        SELECT pg_current_xact_id(), now(), 1, 'U', n.tenant_id::text, current_user, count(*),
               jsonb_agg(jsonb_build_object('id', n.id) ORDER BY n.id), jsonb_agg(to_jsonb(o) ORDER BY n.id),
               jsonb_agg(to_jsonb(n) ORDER BY n.id)
          FROM new_rows n JOIN old_rows o USING (id) GROUP BY n.tenant_id;
    END IF;
    RETURN NULL;
END $$;

-- entry_text and entry_rec: an array of each row as TG_ARGV[1] (its type),
-- into the log TG_ARGV[0].
CREATE FUNCTION capture_entry_array() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO %I (xid, changed_at, table_id, op, tenant, changed_by, n, new_rows) '
                       'SELECT pg_current_xact_id(), now(), 1, ''I'', n.tenant_id::text, current_user, count(*), '
                       '       array_agg(n::%s ORDER BY n.id) FROM new_rows n GROUP BY n.tenant_id',
                       TG_ARGV[0], TG_ARGV[1]);
    ELSE
        EXECUTE format('INSERT INTO %I (xid, changed_at, table_id, op, tenant, changed_by, n, old_rows, new_rows) '
                       'SELECT pg_current_xact_id(), now(), 1, ''U'', n.tenant_id::text, current_user, count(*), '
                       '       array_agg(o::%2$s ORDER BY n.id), array_agg(n::%2$s ORDER BY n.id) '
                       '  FROM new_rows n JOIN old_rows o USING (id) GROUP BY n.tenant_id',
                       TG_ARGV[0], TG_ARGV[1]);
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    v text;
    fn text;
BEGIN
    FOREACH v IN ARRAY ARRAY['row_jsonb', 'entry_jsonb', 'entry_text', 'entry_rec'] LOOP
        fn := CASE v WHEN 'entry_text' THEN 'capture_entry_array(log_entry_text, text)'
                     WHEN 'entry_rec' THEN 'capture_entry_array(log_entry_rec, e_entry_rec)'
                     ELSE format('%I()', 'capture_' || v) END;
        EXECUTE format('CREATE TRIGGER capture_i AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %s', 'e_' || v, fn);
        EXECUTE format('CREATE TRIGGER capture_u AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %s', 'e_' || v, fn);
    END LOOP;
END $$;
SELECT tenant_guard.protect('e_tenant_guard');
