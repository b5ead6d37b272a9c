-- recovery.sh: tenants :lo .. :hi, then their history. Deterministic (no random()),
-- so the protected databases and the unprotected twin hold identical rows.
-- Per tenant: 20 projects, 380 issues, 1600 comments (2000 rows); then a quarter of
-- the issues closed, a tenth of the comments edited and 32 comments deleted
-- (tombstones in the protected databases): 1968 live rows per tenant.
-- Ids: tenant * 10000 + k, so a tenant's rows never collide with another's.
-- Needs tenant_guard.max_tenants_per_statement = 0 (statements span tenants).
INSERT INTO projects (tenant_id, id, key, name, description, budget, created_at)
SELECT t, t * 10000 + k, 'P' || k, 'Project ' || k || ' of tenant ' || t,
       'Description of project ' || k || ': ' || md5((t * 10000 + k)::text),
       1000 + (t * 7 + k * 13) % 90000,
       timestamptz '2024-01-01 00:00+00' + (t * 20 + k) * interval '1 minute'
FROM generate_series(:lo, :hi) AS t, generate_series(0, 19) AS k;

INSERT INTO issues (tenant_id, id, project_id, number, title, status, priority, labels, estimate_hours,
                    reporter, assignee, created_at)
SELECT t, t * 10000 + k, t * 10000 + k % 20, k + 1,
       'Issue ' || k || ': ' || left(md5((t * 10000 + k)::text), 20),
       (ARRAY['open', 'in_progress', 'in_review'])[1 + k % 3],
       (ARRAY['low', 'medium', 'high', 'critical'])[1 + k % 4],
       ARRAY['label' || k % 7, 'area' || k % 5],
       CASE WHEN k % 3 = 0 THEN NULL ELSE (k % 40) * 0.5 END,
       'user' || (t + k) % 50 || '@tenant' || t || '.example',
       CASE WHEN k % 4 = 0 THEN NULL ELSE 'user' || (t + k * 3) % 50 || '@tenant' || t || '.example' END,
       timestamptz '2024-02-01 00:00+00' + (t * 380 + k) * interval '1 minute'
FROM generate_series(:lo, :hi) AS t, generate_series(0, 379) AS k;

INSERT INTO comments (tenant_id, id, issue_id, author, body, is_internal, created_at)
SELECT t, t * 10000 + k, t * 10000 + k % 380,
       'user' || (t + k) % 50 || '@tenant' || t || '.example',
       'Comment ' || k || ' ' || md5((t * 10000 + k)::text) || ' ' || md5(k::text) || ' ' || md5(t::text),
       k % 9 = 0,
       timestamptz '2024-03-01 00:00+00' + (t * 1600 + k) * interval '1 minute'
FROM generate_series(:lo, :hi) AS t, generate_series(0, 1599) AS k;

-- History.
UPDATE issues SET status = 'closed', resolved_at = created_at + interval '3 days'
 WHERE tenant_id BETWEEN :lo AND :hi AND id % 4 = 0;
UPDATE comments SET body = body || ' (edited)', edited_at = created_at + interval '1 hour'
 WHERE tenant_id BETWEEN :lo AND :hi AND id % 10 = 0;
DELETE FROM comments WHERE tenant_id BETWEEN :lo AND :hi AND id % 50 = 7;
