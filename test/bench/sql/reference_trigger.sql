-- The "plpgsql" variant: the straightforward way to write what tenant_guard does,
-- as an AFTER ... FOR EACH ROW trigger in PL/pgSQL.
--   TG_ARGV[0]  tenant column name
--   TG_ARGV[1]  primary-key column name (the bench tables have a one-column key)
-- Every change: one bench_ref_log row (full old/new images as jsonb, tenant, table,
-- op, key, transaction, time, role). A DELETE also writes a bench_ref_tombstone row,
-- the work tenant_guard's tombstone mode does: the row leaves the table, its image
-- is kept.

CREATE FUNCTION bench_ref_capture() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_old jsonb;
    v_new jsonb;
    v_img jsonb;    -- the image that carries tenant and key
BEGIN
    IF TG_OP <> 'INSERT' THEN v_old := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN v_new := to_jsonb(NEW); END IF;
    v_img := coalesce(v_new, v_old);

    INSERT INTO bench_ref_log (tenant, rel, op, pk, old_row, new_row, xid, changed_at, changed_by)
    VALUES (v_img ->> TG_ARGV[0], TG_RELID, left(TG_OP, 1),
            jsonb_build_object(TG_ARGV[1], v_img -> TG_ARGV[1]),
            v_old, v_new, pg_current_xact_id(), now(), current_user);

    IF TG_OP = 'DELETE' THEN
        INSERT INTO bench_ref_tombstone (tenant, rel, pk, row_data, deleted_at, deleted_by, xid)
        VALUES (v_old ->> TG_ARGV[0], TG_RELID,
                jsonb_build_object(TG_ARGV[1], v_old -> TG_ARGV[1]),
                v_old, now(), current_user, pg_current_xact_id());
    END IF;
    RETURN NULL;
END
$$;

-- The "plpgsql_stmt" variant: what a careful DBA writes instead, AFTER ... FOR
-- EACH STATEMENT triggers with transition tables, one INSERT ... SELECT per
-- statement into the same log (and, for a DELETE, the same tombstones).
CREATE FUNCTION bench_ref_capture_stmt() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO bench_ref_log (tenant, rel, op, pk, old_row, new_row, xid, changed_at, changed_by)
        SELECT i ->> TG_ARGV[0], TG_RELID, 'I', jsonb_build_object(TG_ARGV[1], i -> TG_ARGV[1]), NULL, i,
               pg_current_xact_id(), now(), current_user
          FROM (SELECT to_jsonb(n) AS i FROM new_rows n) AS s;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO bench_ref_log (tenant, rel, op, pk, old_row, new_row, xid, changed_at, changed_by)
        SELECT n.i ->> TG_ARGV[0], TG_RELID, 'U', jsonb_build_object(TG_ARGV[1], n.i -> TG_ARGV[1]), o.i, n.i,
               pg_current_xact_id(), now(), current_user
          FROM (SELECT to_jsonb(x) AS i FROM new_rows x) AS n
          JOIN (SELECT to_jsonb(x) AS i FROM old_rows x) AS o ON o.i -> TG_ARGV[1] = n.i -> TG_ARGV[1];
    ELSE
        WITH gone AS (SELECT to_jsonb(x) AS i FROM old_rows x),
             logged AS (
                 INSERT INTO bench_ref_log (tenant, rel, op, pk, old_row, new_row, xid, changed_at, changed_by)
                 SELECT i ->> TG_ARGV[0], TG_RELID, 'D', jsonb_build_object(TG_ARGV[1], i -> TG_ARGV[1]), i, NULL,
                        pg_current_xact_id(), now(), current_user FROM gone)
        INSERT INTO bench_ref_tombstone (tenant, rel, pk, row_data, deleted_at, deleted_by, xid)
        SELECT i ->> TG_ARGV[0], TG_RELID, jsonb_build_object(TG_ARGV[1], i -> TG_ARGV[1]), i, now(), current_user,
               pg_current_xact_id() FROM gone;
    END IF;
    RETURN NULL;
END
$$;
