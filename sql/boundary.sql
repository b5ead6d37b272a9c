-- Errors cross the C++/PostgreSQL boundary with their SQLSTATE intact: a
-- PostgreSQL error raised under C++ code keeps its own code, a C++ exception
-- becomes the extension's code, and the session stays usable.
CREATE SCHEMA boundary;
SET search_path = boundary, public;
CREATE TABLE items (tenant_id int NOT NULL, id int PRIMARY KEY, qty int);
SELECT tenant_guard.protect('items');
INSERT INTO items VALUES (1, 1, 5), (1, 2, -3);
DELETE FROM items WHERE tenant_id = 1;

-- A CHECK constraint added since the deletion: the INSERT that undelete runs
-- from C++ fails with check_violation (23514), and nothing is restored.
ALTER TABLE items ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('1')$$);
SELECT * FROM tenant_guard.undelete('1');
SELECT count(*) AS live FROM items;
SELECT count(*) AS tombstones FROM tenant_guard.tombstones WHERE rel = 'items'::regclass;

-- A column added since without default (the tombstoned row comes back with
-- NULL in it, as the live rows got) and made NOT NULL once the live rows
-- were filled: not_null_violation (23502).
ALTER TABLE items DROP CONSTRAINT qty_positive;
ALTER TABLE items ADD COLUMN note text;
UPDATE items SET note = 'n';
ALTER TABLE items ALTER COLUMN note SET NOT NULL;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('1')$$);
ALTER TABLE items DROP COLUMN note;

-- A C++ exception (a conflict found by the C++ code) carries TG020, with its
-- detail and hint.
INSERT INTO items VALUES (1, 1, 9);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('1')$$);
SELECT * FROM tenant_guard.undelete('1');

-- The session is fine afterwards.
SELECT * FROM tenant_guard.undelete('1', on_conflict => 'skip');
SELECT * FROM items ORDER BY id;
RESET search_path;
