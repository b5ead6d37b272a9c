-- Step 1b. Deterministic data: 300 tenants, ~50,000 rows. Everything is derived
-- from generate_series and arithmetic on ids (no random()), so every run builds
-- the same rows. Values are deliberately varied: fractional timestamps, NULLs,
-- numerics with trailing zeros, empty arrays, nested jsonb, quotes, newlines
-- and non-ASCII text -- all of it must come back byte-for-byte.

-- Sites: 1 to 3 per tenant.
INSERT INTO sites (tenant_id, name, hostname, plan, monthly_fee, settings, is_active, created_at)
SELECT t,
       format('%s %s', co, (ARRAY['Cloud', 'Wiki', 'Service Desk'])[k]),
       format('%s-%s-%s.example.net', lower(co), t, k),
       (ARRAY['free', 'standard', 'premium', 'enterprise'])[1 + (t * 7 + k) % 4],
       (ARRAY[0, 7.75, 15.50, 120.00])[1 + (t * 7 + k) % 4] * (1 + t % 10),
       jsonb_build_object('sso', t % 4 = 0,
                          'locale', (ARRAY['en-US', 'de-DE', 'fr-FR', 'ja-JP'])[1 + t % 4],
                          'limits', jsonb_build_object('users', 10 * (1 + t % 50), 'storage_gb', 2.5 * k),
                          'integrations', CASE WHEN t % 3 = 0 THEN '[]'::jsonb
                                               ELSE '["slack", "github"]'::jsonb END),
       t % 17 <> 0,
       timestamptz '2021-03-01 09:00:00+00' + t * interval '1 day 3 hours 17 minutes'
                                            + k * interval '7 hours 0.123456 seconds'
  FROM generate_series(1, 300) AS t,
       LATERAL (SELECT (ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark',
                              'Wayne', 'Tyrell', 'Soylent', 'Cyberdyne', 'Wonka', 'Aperture'])
                       [1 + t % 12] AS co) AS c,
       generate_series(1, 1 + t % 3) AS k
 ORDER BY t, k;

-- Projects: 1 to 5 per site.
INSERT INTO projects (tenant_id, site_id, key, name, description, budget, archived, created_at)
SELECT s.tenant_id, s.id,
       (ARRAY['WEB', 'API', 'OPS', 'MOB', 'DATA'])[k],
       (ARRAY['Website relaunch', 'Public API v2', 'Ops & on-call', 'Mobile app', 'Data platform'])[k],
       CASE WHEN (s.id + k) % 4 = 0 THEN NULL
            ELSE format('Owned by team %s. Budget reviewed quarterly; see "%s" wiki page.',
                        chr(65 + ((s.id + k) % 26)::int), s.name) END,
       CASE WHEN k % 3 = 0 THEN NULL ELSE round((s.id * 1013 + k * 97) % 90000 + 0.50, 2) END,
       (s.id + k) % 9 = 0,
       s.created_at + k * interval '2 days 5 hours 33.000001 seconds'
  FROM sites s, generate_series(1, 1 + (s.id % 5)::int) AS k
 ORDER BY s.id, k;

-- Issues: 2 to 16 per project.
INSERT INTO issues (tenant_id, project_id, number, title, status, priority, labels,
                    estimate_hours, custom_fields, reporter, assignee, created_at, resolved_at)
SELECT p.tenant_id, p.id, n,
       format('%s-%s: %s', p.key, n,
              (ARRAY['Login fails with SSO enabled', 'Export to CSV drops the last row',
                     'Dashboard slow for large boards', 'Typo on the pricing page',
                     'Webhook retries never stop', 'Dark mode contrast too low',
                     'Add "due date" to the card view', 'Crash when uploading a 0-byte file'])
              [1 + (p.id * 3 + n) % 8]),
       st,
       (ARRAY['low', 'medium', 'high', 'critical'])[1 + (p.id + n * 5) % 4]::issue_priority,
       (ARRAY['bug', 'frontend', 'customer-reported', 'regression'])[1:(p.id + n) % 4],
       CASE WHEN n % 5 = 0 THEN NULL ELSE ((p.id * 37 + n * 11) % 400) / 4.0 END,
       jsonb_build_object('story_points', ((p.id + n) % 13) * 0.5,
                          'sprint', format('Sprint %s', 40 + n % 12),
                          'customer_visible', n % 2 = 0,
                          'components', CASE WHEN n % 3 = 0 THEN '[]'::jsonb
                                             ELSE jsonb_build_array('editor', 'billing') END),
       (ARRAY['alice', 'bob', 'chloé', 'dmitri', 'eun-ji', 'farouk'])[1 + (p.id + n) % 6],
       CASE WHEN n % 4 = 0 THEN NULL
            ELSE (ARRAY['alice', 'bob', 'chloé', 'dmitri', 'eun-ji', 'farouk'])[1 + (p.id * 5 + n) % 6] END,
       ct,
       CASE WHEN st >= 'resolved' THEN ct + (p.id % 30 + n) * interval '3 hours 0.5 seconds' END
  FROM projects p,
       generate_series(1, 2 + ((p.id * 7) % 15)::int) AS n,
       LATERAL (SELECT (enum_range(NULL::issue_status))[1 + (p.id + n * 3) % 5] AS st,
                       p.created_at + n * interval '9 hours 12 minutes 0.654321 seconds' AS ct) AS x
 ORDER BY p.id, n;

-- Comments: 0 to 4 per issue.
INSERT INTO comments (tenant_id, issue_id, author, body, is_internal, reactions, created_at, edited_at)
SELECT i.tenant_id, i.id,
       (ARRAY['alice', 'bob', 'chloé', 'dmitri', 'eun-ji', 'farouk'])[1 + (i.id + c) % 6],
       CASE (i.id + c) % 6
            WHEN 0 THEN 'Reproduced on staging, see the attached log.'
            WHEN 1 THEN 'Can''t reproduce — works on my machine 🤷'
            WHEN 2 THEN E'Steps:\n1. open the board\n2. drag a card\n3. "Save" stays greyed out'
            WHEN 3 THEN 'LGTM ✅ merging as is'
            WHEN 4 THEN format('@%s could you take a look? Customer %s is waiting.', i.assignee, i.tenant_id)
            ELSE 'Zurück an die Entwicklung: Größe passt nicht (½ px off).'
       END,
       (i.id + c) % 7 = 0,
       CASE WHEN c = 1 THEN NULL
            ELSE jsonb_build_object('👍', (i.id + c) % 5, 'eyes', (i.id * c) % 3) END,
       i.created_at + c * interval '1 hour 0.000007 seconds',
       CASE WHEN (i.id + c) % 8 = 0 THEN i.created_at + c * interval '1 hour 5 minutes' END
  FROM issues i, generate_series(1, ((i.id * 13) % 5)::int) AS c
 ORDER BY i.id, c;

ANALYZE sites, projects, issues, comments;

SELECT tbl AS "table", rows, tenants
  FROM (SELECT 1, 'sites', count(*), count(DISTINCT tenant_id) FROM sites
        UNION ALL SELECT 2, 'projects', count(*), count(DISTINCT tenant_id) FROM projects
        UNION ALL SELECT 3, 'issues',   count(*), count(DISTINCT tenant_id) FROM issues
        UNION ALL SELECT 4, 'comments', count(*), count(DISTINCT tenant_id) FROM comments
       ) AS c(ord, tbl, rows, tenants)
 ORDER BY ord;
