-- A rewind to a time is exact with track_commit_timestamp = on; on a server
-- without it, commit times are approximated by each transaction's last
-- change, and the rewind says so with a NOTICE. The suites pass on either
-- server (make installcheck on a default one, make check with
-- test/regress.conf): this one has an expected output for each,
-- commit_times.out (on) and commit_times_1.out (off).
CREATE SCHEMA ct;
CREATE TABLE ct.items (tenant_id int NOT NULL, id int PRIMARY KEY, v int);
SELECT tenant_guard.protect('ct.items');
INSERT INTO ct.items VALUES (1, 1, 0);
SELECT clock_timestamp() AS point \gset
UPDATE ct.items SET v = 1 WHERE id = 1;
SHOW track_commit_timestamp;
SELECT * FROM tenant_guard.rewind('1', to_time => :'point');
SELECT v FROM ct.items WHERE id = 1;
