-- Rows :lo .. :hi of shape "narrow"; :tenants tenants, interleaved (row i -> tenant 1 + i % :tenants).
INSERT INTO :"tbl" (id, tenant_id, name, qty, price, updated_at)
SELECT i,
       1 + i % :tenants,
       'item ' || i,
       i % 1000,
       (i % 100000) / 100.0,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second'
FROM generate_series(:lo, :hi) AS g(i);
