-- recovery.sh: one round of changes to tenant :t (one transaction per statement,
-- autocommit): every comment edited, every issue re-estimated, 50 comments added,
-- about 31 deleted. About 2,030 changes. :round numbers the round, unique per tenant.
UPDATE comments SET body = left(body, 60) || ' rev ' || :round, edited_at = created_at + :round * interval '1 minute'
 WHERE tenant_id = :t;
UPDATE issues SET estimate_hours = coalesce(estimate_hours, 0) + 1 WHERE tenant_id = :t;
INSERT INTO comments (tenant_id, id, issue_id, author, body, created_at)
SELECT :t, :t * 10000 + 2000 + :round * 60 + k, :t * 10000 + k * 7 % 380, 'bench@example',
       'added in round ' || :round || ' ' || md5(k::text), timestamptz '2025-01-01 00:00+00' + k * interval '1 s'
FROM generate_series(0, 49) AS k;
DELETE FROM comments WHERE tenant_id = :t AND id < :t * 10000 + 1600 AND id % 50 = 10 + :round % 40;
