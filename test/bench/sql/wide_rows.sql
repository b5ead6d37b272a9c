-- Rows :lo .. :hi of shape "wide"; :tenants tenants, interleaved (row i -> tenant 1 + i % :tenants).
INSERT INTO :"tbl"
SELECT i,
       1 + i % :tenants,
       1000000 + i % 5000,
       CASE WHEN i % 10 = 0 THEN NULL ELSE i - 1 END,
       i % 1000,
       i % 7, i % 13, i * 3,
       (i % 300)::smallint,
       (i % 100000) / 100.0,
       (i % 1000000) / 100.0,
       (i % 25) / 100.0,
       (i % 50) / 1000.0,
       (i % 9973) * 0.25,
       (i % 101) / 7.0,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second',
       timestamptz '2024-06-01 00:00:00+00' + i * interval '1 second',
       CASE WHEN i % 3 = 0 THEN NULL ELSE timestamptz '2024-07-01 00:00:00+00' + i * interval '1 minute' END,
       date '2024-12-31' + i % 365,
       i % 2 = 0, i % 3 = 0, i % 5 = 0, i % 11 = 0,
       'customer name ' || i,
       'C-' || lpad((i % 100000)::text, 6, '0'),
       (ARRAY['new', 'paid', 'shipped', 'closed'])[1 + i % 4],
       'user' || i || '@example.com',
       p.s,
       md5(i::text)::uuid,
       1
FROM generate_series(:lo, :hi) AS g(i)
JOIN bench_text_pool AS p ON p.k = g.i % 1024;
