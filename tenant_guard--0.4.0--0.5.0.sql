-- tenant_guard 0.4.0 -> 0.5.0: one catalog vocabulary for the module and the
-- command line (issue 17), and what the history work of 0.5.0 adds.
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '0.5.0'" to load this file. \quit
