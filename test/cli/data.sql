-- Five tenants of awkward data: quotes, commas, line breaks, backslashes,
-- non-ASCII text, NULLs next to empty strings, arrays, jsonb, bytes.
INSERT INTO accounts (tenant_id, name, balance, opened_at, tags, meta, doc)
SELECT t, format('Account %s/%s, "quoted" \ back%s', t, i, CASE WHEN i % 3 = 0 THEN E'\nsecond line' ELSE '' END),
       CASE WHEN i % 4 = 0 THEN NULL ELSE (i * 10.25)::numeric(12,2) END,
       timestamptz '2026-01-01 00:00:00+00' + i * interval '1 hour 1.5 second',
       CASE WHEN i % 2 = 0 THEN ARRAY['a,b', 'c"d', 'é'] ELSE '{}' END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE jsonb_build_object('n', i, 'big', 12345678901234567890.5, 's', 'x"y') END,
       CASE WHEN i % 2 = 0 THEN '\x00ff10'::bytea ELSE '' END
  FROM generate_series(1, 5) AS t, generate_series(1, 20) AS i
 ORDER BY i, t;
INSERT INTO orders SELECT a.tenant_id, a.id, a.id, CASE WHEN a.id % 2 = 0 THEN '' ELSE NULL END
  FROM accounts AS a;
INSERT INTO lines SELECT o.tenant_id, o.id * 10 + k, o.id, k FROM orders AS o, generate_series(1, 3) AS k;
-- Some history and tombstones for --with-history / --with-tombstones.
UPDATE orders SET note = 'updated' WHERE tenant_id = 3 AND id % 7 = 0;
DELETE FROM lines WHERE tenant_id = 3 AND qty = 3 AND id < 200;
