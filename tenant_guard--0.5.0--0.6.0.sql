-- tenant_guard 0.5.0 -> 0.6.0: exact row images (issue 15). The images this
-- version writes keep what JSON cannot hold: a value JSON would change (a
-- float -0, an array's lower bounds, json and JSON-null jsonb inside arrays
-- and composites) as its text output, and a json or jsonb column's exact
-- text beside its value under "<column>#:text" (schema_constants.hpp). The
-- readers take both and every image an earlier version wrote as it is:
-- nothing to rewrite here.
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '0.6.0'" to load this file. \quit
