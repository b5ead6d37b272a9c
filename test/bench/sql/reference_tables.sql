-- The PL/pgSQL references' log and tombstones (setup.sql, oltp_reference.sql).
-- One row per changed row, like tenant_guard.change_log.
CREATE TABLE bench_ref_log (
    seq        bigserial PRIMARY KEY,
    tenant     text        NOT NULL,
    rel        regclass    NOT NULL,
    op         text        NOT NULL,          -- I, U, D
    pk         jsonb       NOT NULL,
    old_row    jsonb,
    new_row    jsonb,
    xid        xid8        NOT NULL,
    changed_at timestamptz NOT NULL,
    changed_by text        NOT NULL
);
CREATE INDEX bench_ref_log_tenant_seq ON bench_ref_log (tenant, seq);

-- One row per deleted row, like tenant_guard.tombstones.
CREATE TABLE bench_ref_tombstone (
    tombstone_id bigserial PRIMARY KEY,
    tenant       text        NOT NULL,
    rel          regclass    NOT NULL,
    pk           jsonb       NOT NULL,
    row_data     jsonb       NOT NULL,
    deleted_at   timestamptz NOT NULL,
    deleted_by   text        NOT NULL,
    xid          xid8        NOT NULL
);
CREATE INDEX bench_ref_tombstone_tenant ON bench_ref_tombstone (tenant, tombstone_id);
