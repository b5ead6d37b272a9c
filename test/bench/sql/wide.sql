-- Shape "wide": 30 columns; note holds ~3 kB of incompressible text (stored out of
-- line in the TOAST table). psql variable :tbl names the table.
CREATE TABLE :"tbl" (
    id          bigint PRIMARY KEY,     --  1
    tenant_id   int NOT NULL,           --  2
    account_id  bigint,                 --  3
    parent_id   bigint,                 --  4
    qty         int,                    --  5
    int_a       int,                    --  6
    int_b       int,                    --  7
    int_c       int,                    --  8
    small_a     smallint,               --  9
    price       numeric(12,2),          -- 10
    amount      numeric(14,2),          -- 11
    tax_rate    numeric(10,4),          -- 12
    discount    numeric(6,3),           -- 13
    weight      double precision,       -- 14
    score       real,                   -- 15
    created_at  timestamptz,            -- 16
    updated_at  timestamptz,            -- 17
    shipped_at  timestamptz,            -- 18
    due_date    date,                   -- 19
    is_active   boolean,                -- 20
    is_paid     boolean,                -- 21
    is_shipped  boolean,                -- 22
    is_archived boolean,                -- 23
    name        text,                   -- 24
    code        text,                   -- 25
    status      text,                   -- 26
    email       text,                   -- 27
    note        text,                   -- 28  ~3 kB, TOASTed
    ext_ref     uuid,                   -- 29
    version     int                     -- 30
);
