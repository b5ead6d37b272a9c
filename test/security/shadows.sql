-- Shadows of every name in public.tg_names (test/security/names.sh), created
-- by an attacker in one schema. psql variables:
--   who    the attacker (the role running this)
--   sch    the schema to create them in: its own schema, or pg_temp
--   kinds  which shadows: any of "types", "funcs", "ops" (e.g. 'types,funcs,ops')
-- Every shadow, when it runs, calls <sch>.tg_pwn(who, what), which records
-- (who, what, current_user, session_user, tgtest.step) in public.pwned and as
-- a WARNING "TGPWN|..." (kept even when the statement then fails); when it
-- runs as another role it escalates as an attacker would (a superuser gives
-- `who` CREATEDB, as a marker that changes nothing else; another role makes
-- `who` its member) and says so in a WARNING "TGESC|..."; it returns true. The shadows return the real function's or
-- operator's result (NULL where that cannot be had: functions returning a
-- bare record), so that the statement goes on.
-- Made with search_path = pg_catalog, pg_temp: nothing here resolves to a shadow.
SET search_path = pg_catalog, pg_temp;
SELECT set_config('tgtest.who', :'who', false), set_config('tgtest.sch', :'sch', false),
       set_config('tgtest.kinds', :'kinds', false) \gset tgdummy_

CREATE OR REPLACE FUNCTION :sch.tg_pwn(who text, what text) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $pwn$
DECLARE
    step text := coalesce(current_setting('tgtest.step', true), '');
    k text := 'tgpwn.k' || md5(who || '|' || what || '|' || current_user || '|' || session_user || '|' || step);
BEGIN
    IF coalesce(current_setting(k, true), '') <> '' THEN RETURN true; END IF;  -- once per statement kind
    PERFORM set_config(k, '1', false);
    RAISE WARNING 'TGPWN|%|%|%|%|%', who, what, current_user, session_user, step;
    BEGIN
        INSERT INTO public.pwned (attacker, name, cur, sess, step) VALUES (who, what, current_user, session_user, step);
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
    IF current_user <> who AND what NOT LIKE 'owner %' THEN  -- what an attacker would do with it
        -- (not for a table owner's own code: PostgreSQL runs it as whoever
        -- writes the table; run.sh checks who it ran as when rows are restored)
        BEGIN
            IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                -- CREATEDB only: proof enough, and the attacker's later steps stay those of an ordinary role
                EXECUTE format('ALTER ROLE %I CREATEDB', who);
                RAISE WARNING 'TGESC|%|% gave it CREATEDB (running as superuser %)', who, what, current_user;
            ELSE
                EXECUTE format('GRANT %I TO %I', current_user, who);
                RAISE WARNING 'TGESC|%|% made it a member of %', who, what, current_user;
            END IF;
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
    END IF;
    RETURN true;
END
$pwn$;

-- The type's name, schema-qualified (arrays as elem[]).
CREATE OR REPLACE FUNCTION pg_temp.tg_tn(t oid) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE r record;
BEGIN
    SELECT y.typname, y.typelem, n.nspname, (SELECT e.typarray FROM pg_type e WHERE e.oid = y.typelem) AS elem_array
      INTO r FROM pg_type y JOIN pg_namespace n ON n.oid = y.typnamespace WHERE y.oid = t;
    IF r.typelem <> 0 AND r.elem_array = t THEN RETURN pg_temp.tg_tn(r.typelem) || '[]'; END IF;
    RETURN quote_ident(r.nspname) || '.' || quote_ident(r.typname);
END $$;

-- A short type name for labels.
CREATE OR REPLACE FUNCTION pg_temp.tg_short(t oid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN t = 0 THEN 'NONE' ELSE format_type(t, NULL) END
$$;

-- Polymorphic type -> concrete type t.
CREATE OR REPLACE FUNCTION pg_temp.tg_sub(x oid, t oid) RETURNS oid LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN t = 0 THEN x
                WHEN x IN ('anyelement'::regtype, 'anynonarray'::regtype, 'anycompatible'::regtype,
                           'anycompatiblenonarray'::regtype) THEN t
                WHEN x IN ('anyarray'::regtype, 'anycompatiblearray'::regtype)
                     THEN (SELECT typarray FROM pg_type WHERE oid = t)
                ELSE x END
$$;

-- True for a type a PL/pgSQL shadow can take or return.
CREATE OR REPLACE FUNCTION pg_temp.tg_usable(x oid, as_result boolean) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT x IS NOT NULL AND x <> 0 AND (
           (SELECT typtype <> 'p' FROM pg_type WHERE oid = x)
        OR x IN ('anyelement'::regtype, 'anynonarray'::regtype, 'anyarray'::regtype, 'anycompatible'::regtype,
                 'anycompatiblearray'::regtype, 'anycompatiblenonarray'::regtype, 'anyenum'::regtype,
                 'anyrange'::regtype, 'anymultirange'::regtype, 'record'::regtype)
        OR (as_result AND x = 'void'::regtype))
$$;

-- One function shadow of pg_catalog function fo, with IN argument types args
-- (polymorphic ones replaced by t when t <> 0; expand: args expand a
-- VARIADIC "any"). Returns true when created.
CREATE OR REPLACE FUNCTION pg_temp.tg_shadow_func(fo oid, args oid[], t oid, expand boolean) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    who text := current_setting('tgtest.who');
    sch text := current_setting('tgtest.sch');
    p pg_proc;
    ret oid;
    params text := '';
    outs text := '';
    outvars text := '';
    callargs text := '';
    rettext text;
    body text;
    label text;
    call text;
    n int := coalesce(array_length(args, 1), 0);
    nouts int := 0;
    i int;
    a oid;
    orig oid[];
BEGIN
    SELECT * INTO p FROM pg_proc WHERE oid = fo;
    orig := string_to_array(p.proargtypes::text, ' ')::oid[];
    ret := pg_temp.tg_sub(p.prorettype, t);
    IF NOT pg_temp.tg_usable(ret, true) THEN RETURN false; END IF;
    FOR i IN 1 .. n LOOP
        a := args[i];
        IF NOT pg_temp.tg_usable(a, false) THEN RETURN false; END IF;
        params := params || CASE WHEN i > 1 THEN ', ' ELSE '' END
                  || CASE WHEN NOT expand AND i = n AND p.provariadic <> 0 THEN 'VARIADIC ' ELSE '' END
                  || 'a' || i || ' ' || pg_temp.tg_tn(a);
        callargs := callargs || CASE WHEN i > 1 THEN ', ' ELSE '' END
                  || CASE WHEN NOT expand AND i = n AND p.provariadic <> 0 THEN 'VARIADIC ' ELSE '' END || '$' || i
                  -- a variant's argument goes to the real function as the real type
                  || CASE WHEN NOT expand AND orig[i] <> a AND (SELECT typtype <> 'p' FROM pg_type WHERE oid = orig[i])
                          THEN '::' || pg_temp.tg_tn(orig[i]) ELSE '' END;
    END LOOP;
    IF p.proallargtypes IS NOT NULL THEN
        FOR i IN 1 .. array_length(p.proallargtypes, 1) LOOP
            IF p.proargmodes[i] = 'b' THEN RETURN false; END IF;
            IF p.proargmodes[i] IN ('o', 't') THEN
                a := pg_temp.tg_sub(p.proallargtypes[i], t);
                IF NOT pg_temp.tg_usable(a, false) THEN RETURN false; END IF;
                nouts := nouts + 1;
                outs := outs || ', OUT o' || nouts || ' ' || pg_temp.tg_tn(a);
                outvars := outvars || CASE WHEN nouts > 1 THEN ', ' ELSE '' END || 'o' || nouts;
            END IF;
        END LOOP;
    END IF;
    IF nouts > 0 THEN
        params := CASE WHEN params = '' THEN substr(outs, 3) ELSE params || outs END;
        rettext := CASE WHEN p.proretset THEN 'SETOF record' ELSE 'record' END;
    ELSE
        rettext := CASE WHEN p.proretset THEN 'SETOF ' ELSE '' END || pg_temp.tg_tn(ret);
    END IF;
    label := 'function ' || sch || '.' || p.proname || '('
             || coalesce((SELECT string_agg(pg_temp.tg_short(x), ',' ORDER BY ord) FROM unnest(args) WITH ORDINALITY AS u(x, ord)), '') || ')';
    call := 'pg_catalog.' || quote_ident(p.proname) || '(' || callargs || ')';
    body := 'BEGIN PERFORM ' || sch || '.tg_pwn(' || quote_literal(who) || ', ' || quote_literal(label) || '); ';
    IF ret = 'record'::regtype AND nouts = 0 THEN
        body := body || CASE WHEN p.proretset THEN 'RETURN; ' ELSE 'RETURN NULL; ' END;
    ELSIF p.proretset THEN
        body := body || 'RETURN QUERY SELECT * FROM ' || call || '; ';
    ELSIF nouts > 0 THEN
        body := body || 'SELECT * INTO ' || outvars || ' FROM ' || call || '; RETURN; ';
    ELSIF ret = 'void'::regtype THEN
        body := body || 'PERFORM ' || call || '; RETURN; ';
    ELSE
        body := body || 'RETURN ' || call || '; ';
    END IF;
    body := body || 'END';
    BEGIN
        EXECUTE format('CREATE FUNCTION %s.%I(%s) RETURNS %s LANGUAGE plpgsql AS %L',
                       sch, p.proname, params, rettext, body);
    EXCEPTION WHEN OTHERS THEN
        RETURN false;
    END;
    RETURN true;
END $$;

-- One aggregate shadow of pg_catalog aggregate fo with argument types args.
CREATE OR REPLACE FUNCTION pg_temp.tg_shadow_agg(fo oid, args oid[], t oid, seq int) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    who text := current_setting('tgtest.who');
    sch text := current_setting('tgtest.sch');
    p pg_proc;
    ret oid;
    st oid;
    label text;
    pwn text;
    sf text := sch || '.tg_aggsf_' || seq;
    ff text := sch || '.tg_aggff_' || seq;
    n int := coalesce(array_length(args, 1), 0);
BEGIN
    SELECT * INTO p FROM pg_proc WHERE oid = fo;
    IF (SELECT aggkind FROM pg_aggregate WHERE aggfnoid = fo) <> 'n' THEN RETURN false; END IF;
    ret := pg_temp.tg_sub(p.prorettype, t);
    label := 'aggregate ' || sch || '.' || p.proname || '('
             || CASE WHEN n = 0 THEN '*' ELSE (SELECT string_agg(pg_temp.tg_short(x), ',' ORDER BY ord) FROM unnest(args) WITH ORDINALITY AS u(x, ord)) END
             || ')';
    pwn := 'PERFORM ' || sch || '.tg_pwn(' || quote_literal(who) || ', ' || quote_literal(label) || '); ';
    BEGIN
        IF n = 0 AND p.proname = 'count' THEN
            EXECUTE format('CREATE FUNCTION %s(s pg_catalog.int8) RETURNS pg_catalog.int8 LANGUAGE plpgsql AS %L',
                           sf, 'BEGIN ' || pwn || 'RETURN s OPERATOR(pg_catalog.+) 1; END');
            EXECUTE format('CREATE AGGREGATE %s.count(*) (SFUNC = %s, STYPE = pg_catalog.int8, INITCOND = ''0'')',
                           sch, sf);
        ELSIF n = 1 THEN
            IF (SELECT typtype IN ('p', 'c') FROM pg_type WHERE oid = args[1]) OR NOT pg_temp.tg_usable(ret, false)
               OR (SELECT typtype = 'p' FROM pg_type WHERE oid = ret) THEN
                RETURN false;
            END IF;
            st := (SELECT typarray FROM pg_type WHERE oid = args[1]);
            IF st IS NULL OR st = 0 THEN RETURN false; END IF;
            EXECUTE format('CREATE FUNCTION %s(s %s, v %s) RETURNS %s LANGUAGE plpgsql AS %L', sf,
                           pg_temp.tg_tn(st), pg_temp.tg_tn(args[1]), pg_temp.tg_tn(st),
                           'BEGIN ' || pwn || 'RETURN pg_catalog.array_append(s, v); END');
            EXECUTE format('CREATE FUNCTION %s(s %s) RETURNS %s LANGUAGE plpgsql AS %L', ff,
                           pg_temp.tg_tn(st), pg_temp.tg_tn(ret),
                           'BEGIN RETURN (SELECT pg_catalog.' || quote_ident(p.proname)
                           || '(x) FROM pg_catalog.unnest(s) AS x); END');
            EXECUTE format('CREATE AGGREGATE %s.%I(%s) (SFUNC = %s, STYPE = %s, FINALFUNC = %s, INITCOND = ''{}'')',
                           sch, p.proname, pg_temp.tg_tn(args[1]), sf, pg_temp.tg_tn(st), ff);
        ELSIF n = 2 AND p.proname = 'string_agg' AND args = ARRAY['text'::regtype::oid, 'text'::regtype::oid] THEN
            EXECUTE format('CREATE FUNCTION %s(s pg_catalog.text, v pg_catalog.text, d pg_catalog.text) '
                           'RETURNS pg_catalog.text LANGUAGE plpgsql AS %L', sf,
                           'BEGIN ' || pwn || 'RETURN CASE WHEN v IS NULL THEN s WHEN s IS NULL THEN v '
                           'ELSE s OPERATOR(pg_catalog.||) d OPERATOR(pg_catalog.||) v END; END');
            EXECUTE format('CREATE AGGREGATE %s.string_agg(pg_catalog.text, pg_catalog.text) '
                           '(SFUNC = %s, STYPE = pg_catalog.text)', sch, sf);
        ELSE
            RETURN false;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        RETURN false;
    END;
    RETURN true;
END $$;

-- One operator shadow: sym(l, r) returning res. castto <> 0: the operands are
-- cast to it for the real operator (a cross-type pair pg_catalog lacks).
CREATE OR REPLACE FUNCTION pg_temp.tg_shadow_op(sym text, l oid, r oid, res oid, castto oid, seq int) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    who text := current_setting('tgtest.who');
    sch text := current_setting('tgtest.sch');
    fn text := sch || '.tg_op_' || seq;
    label text := 'operator ' || sch || '.' || sym || '(' || pg_temp.tg_short(l) || ',' || pg_temp.tg_short(r) || ')';
    c text := CASE WHEN castto = 0 THEN '' ELSE '::' || pg_temp.tg_tn(castto) END;
    body text;
BEGIN
    IF NOT pg_temp.tg_usable(r, false) OR (l <> 0 AND NOT pg_temp.tg_usable(l, false))
       OR NOT pg_temp.tg_usable(res, false)
       OR (SELECT bool_or(typtype = 'p') FROM pg_type WHERE oid IN (l, r, res)) THEN
        RETURN false;
    END IF;
    body := 'BEGIN PERFORM ' || sch || '.tg_pwn(' || quote_literal(who) || ', ' || quote_literal(label) || '); RETURN '
            || CASE WHEN l = 0 THEN '' ELSE 'a' || c || ' ' END || 'OPERATOR(pg_catalog.' || sym || ') b' || c
            || '; END';
    BEGIN
        IF l = 0 THEN
            EXECUTE format('CREATE FUNCTION %s(b %s) RETURNS %s LANGUAGE plpgsql AS %L',
                           fn, pg_temp.tg_tn(r), pg_temp.tg_tn(res), body);
            EXECUTE format('CREATE OPERATOR %s.%s (RIGHTARG = %s, FUNCTION = %s)', sch, sym, pg_temp.tg_tn(r), fn);
        ELSE
            EXECUTE format('CREATE FUNCTION %s(a %s, b %s) RETURNS %s LANGUAGE plpgsql AS %L',
                           fn, pg_temp.tg_tn(l), pg_temp.tg_tn(r), pg_temp.tg_tn(res), body);
            EXECUTE format('CREATE OPERATOR %s.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = %s)',
                           sch, sym, pg_temp.tg_tn(l), pg_temp.tg_tn(r), fn);
        END IF;
    EXCEPTION WHEN OTHERS THEN
        BEGIN EXECUTE format('DROP FUNCTION %s', fn); EXCEPTION WHEN OTHERS THEN NULL; END;
        RETURN false;
    END;
    RETURN true;
END $$;

DO $gen$
DECLARE
    who text := current_setting('tgtest.who');
    sch text := current_setting('tgtest.sch');
    kinds text := current_setting('tgtest.kinds');
    made_types int := 0;
    made_funcs int := 0;
    made_aggs int := 0;
    made_ops int := 0;
    seq int := (SELECT count(*) FROM pg_proc WHERE pronamespace = to_regnamespace(sch)::oid);
    concrete oid[];
    fam oid[];
    fams oid[][];
    tn text;
    f record;
    o record;
    t oid;
    l oid;
    r oid;
    sym text;
    common oid;
    args oid[];
    fixed oid[];
    k int;
    i int;
    pattern oid[];
BEGIN
    -- Concrete types for polymorphic arguments: common scalar types and the
    -- row types of the application tables (visible to the attacker or not).
    concrete := ARRAY(SELECT x::regtype::oid FROM unnest(ARRAY['text', 'name', 'int2', 'int4', 'int8', 'oid',
                      'regclass', 'bool', 'numeric', 'jsonb', 'json', 'timestamptz', 'xid8', 'xid', 'pg_snapshot',
                      'bytea', 'tid', '"char"', 'varchar']) AS x)
                || ARRAY(SELECT c.reltype FROM pg_class c WHERE c.relnamespace = to_regnamespace('app')::oid
                           AND c.relkind IN ('r', 'p') AND has_schema_privilege('app', 'USAGE') ORDER BY c.oid);

    -- Types: a domain of the same name over the real type.
    IF kinds LIKE '%types%' THEN
        FOR tn IN SELECT name FROM public.tg_names WHERE kind = 'type' ORDER BY name LOOP
            IF to_regtype('pg_catalog.' || quote_ident(tn)) IS NULL THEN CONTINUE; END IF;
            BEGIN
                EXECUTE format('CREATE DOMAIN %s.%I AS pg_catalog.%I CHECK (%s.tg_pwn(%L, %L))', sch, tn, tn, sch,
                               who, 'type ' || sch || '.' || tn);
                made_types := made_types + 1;
            EXCEPTION WHEN OTHERS THEN NULL;
            END;
        END LOOP;
    END IF;

    -- The domains just made are concrete types too: a cast to one of their
    -- arrays (x::jsonb[] with a domain jsonb first) then finds its exact
    -- shadow instead of two equally good ones.
    concrete := concrete || ARRAY(SELECT y.oid FROM pg_type y
                                   WHERE y.typnamespace = to_regnamespace(sch)::oid AND y.typtype = 'd' ORDER BY y.oid);

    -- Functions and aggregates: every pg_catalog signature, and the variants
    -- an exact match would win with (polymorphic and VARIADIC "any" ones made
    -- concrete, text -> name, oid <-> regclass, one argument -> text for
    -- unknown literals).
    IF kinds LIKE '%funcs%' THEN
        FOR f IN SELECT p.oid, p.proname, p.prokind, string_to_array(p.proargtypes::text, ' ')::oid[] AS args, p.provariadic, p.pronargs
                   FROM pg_proc p
                  WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind IN ('f', 'a')
                    AND p.proname IN (SELECT name FROM public.tg_names WHERE kind = 'func')
                  ORDER BY p.proname, p.oid LOOP
            args := coalesce(f.args, '{}');
            IF f.prokind = 'a' THEN
                seq := seq + 1;
                IF pg_temp.tg_shadow_agg(f.oid, args, 0, seq) THEN made_aggs := made_aggs + 1; END IF;
                IF array_length(args, 1) = 1 AND (SELECT typtype = 'p' FROM pg_type WHERE oid = args[1]) THEN
                    FOREACH t IN ARRAY concrete LOOP
                        seq := seq + 1;
                        IF args[1] = '"any"'::regtype THEN
                            IF pg_temp.tg_shadow_agg(f.oid, ARRAY[t], 0, seq) THEN made_aggs := made_aggs + 1; END IF;
                        ELSIF pg_temp.tg_shadow_agg(f.oid, ARRAY[pg_temp.tg_sub(args[1], t)], t, seq) THEN
                            made_aggs := made_aggs + 1;
                        END IF;
                    END LOOP;
                END IF;
                CONTINUE;
            END IF;
            IF pg_temp.tg_shadow_func(f.oid, args, 0, false) THEN made_funcs := made_funcs + 1; END IF;
            -- VARIADIC "any": 1 to 3 arguments of one type, and (text, T) pairs.
            IF f.provariadic = '"any"'::regtype THEN
                fixed := args[1:array_length(args, 1) - 1];
                FOREACH t IN ARRAY ARRAY['text'::regtype::oid, 'int4'::regtype, 'int8'::regtype, 'oid'::regtype,
                                         'regclass'::regtype, 'name'::regtype, 'jsonb'::regtype, 'numeric'::regtype] LOOP
                    FOR k IN 1 .. 3 LOOP
                        pattern := fixed || array_fill(t, ARRAY[k]);
                        IF pg_temp.tg_shadow_func(f.oid, pattern, 0, true) THEN made_funcs := made_funcs + 1; END IF;
                    END LOOP;
                END LOOP;
                FOREACH t IN ARRAY concrete LOOP
                    IF pg_temp.tg_shadow_func(f.oid, fixed || ARRAY['text'::regtype::oid, t], 0, true) THEN
                        made_funcs := made_funcs + 1;
                    END IF;
                    IF pg_temp.tg_shadow_func(f.oid, fixed || ARRAY['text'::regtype::oid, t, 'text'::regtype, t], 0, true)
                    THEN
                        made_funcs := made_funcs + 1;
                    END IF;
                END LOOP;
                CONTINUE;
            END IF;
            -- Polymorphic arguments made concrete.
            IF EXISTS (SELECT 1 FROM unnest(args) AS x
                        WHERE x IN ('anyelement'::regtype, 'anynonarray'::regtype, 'anyarray'::regtype,
                                    'anycompatible'::regtype, 'anycompatiblearray'::regtype,
                                    'anycompatiblenonarray'::regtype)) THEN
                FOREACH t IN ARRAY concrete LOOP
                    IF pg_temp.tg_shadow_func(f.oid, ARRAY(SELECT pg_temp.tg_sub(x, t) FROM unnest(args) WITH ORDINALITY AS u(x, ord) ORDER BY ord), t, false) THEN
                        made_funcs := made_funcs + 1;
                    END IF;
                END LOOP;
            END IF;
            -- text -> name, oid <-> regclass.
            IF 'text'::regtype = ANY (args) AND pg_temp.tg_shadow_func(f.oid,
                   ARRAY(SELECT CASE WHEN x = 'text'::regtype THEN 'name'::regtype ELSE x END
                           FROM unnest(args) WITH ORDINALITY AS u(x, ord) ORDER BY ord), 0, false) THEN
                made_funcs := made_funcs + 1;
            END IF;
            IF 'oid'::regtype = ANY (args) AND pg_temp.tg_shadow_func(f.oid,
                   ARRAY(SELECT CASE WHEN x = 'oid'::regtype THEN 'regclass'::regtype ELSE x END
                           FROM unnest(args) WITH ORDINALITY AS u(x, ord) ORDER BY ord), 0, false) THEN
                made_funcs := made_funcs + 1;
            END IF;
            IF 'regclass'::regtype = ANY (args) AND pg_temp.tg_shadow_func(f.oid,
                   ARRAY(SELECT CASE WHEN x = 'regclass'::regtype THEN 'oid'::regtype ELSE x END
                           FROM unnest(args) WITH ORDINALITY AS u(x, ord) ORDER BY ord), 0, false) THEN
                made_funcs := made_funcs + 1;
            END IF;
            -- One argument as text: an unknown literal there prefers it.
            IF array_length(args, 1) BETWEEN 1 AND 4 THEN
                FOR i IN 1 .. array_length(args, 1) LOOP
                    IF args[i] <> 'text'::regtype AND (SELECT typtype <> 'p' FROM pg_type WHERE oid = args[i]) THEN
                        pattern := args;
                        pattern[i] := 'text'::regtype;
                        IF pg_temp.tg_shadow_func(f.oid, pattern, 0, false) THEN made_funcs := made_funcs + 1; END IF;
                    END IF;
                END LOOP;
            END IF;
        END LOOP;
    END IF;

    -- Operators: every pg_catalog signature of each symbol (polymorphic ones
    -- made concrete), and for comparisons and || the cross-type pairs of
    -- binary-compatible families that pg_catalog lacks (an exact match wins).
    IF kinds LIKE '%ops%' THEN
        FOR o IN SELECT oprname, oprkind, oprleft, oprright, oprresult FROM pg_operator
                  WHERE oprnamespace = 'pg_catalog'::regnamespace AND oprkind IN ('b', 'l')
                    AND oprname IN (SELECT name FROM public.tg_names WHERE kind = 'op')
                  ORDER BY oprname, oid LOOP
            IF (SELECT bool_or(typtype = 'p') FROM pg_type WHERE oid IN (o.oprleft, o.oprright, o.oprresult)) THEN
                FOREACH t IN ARRAY concrete LOOP
                    l := CASE WHEN o.oprleft = 0 THEN 0 ELSE pg_temp.tg_sub(o.oprleft, t) END;
                    r := pg_temp.tg_sub(o.oprright, t);
                    seq := seq + 1;
                    IF pg_temp.tg_shadow_op(o.oprname, l, r, pg_temp.tg_sub(o.oprresult, t), 0, seq) THEN
                        made_ops := made_ops + 1;
                    END IF;
                END LOOP;
            ELSE
                seq := seq + 1;
                IF pg_temp.tg_shadow_op(o.oprname, o.oprleft, o.oprright, o.oprresult, 0, seq) THEN
                    made_ops := made_ops + 1;
                END IF;
            END IF;
        END LOOP;
        fams := ARRAY[ARRAY['oid'::regtype::oid, 'regclass'::regtype, 'regtype'::regtype, 'regproc'::regtype,
                            'regnamespace'::regtype, 'regrole'::regtype],
                      ARRAY['text'::regtype::oid, 'name'::regtype, 'varchar'::regtype, 'bpchar'::regtype,
                            '"char"'::regtype, 'text'::regtype],
                      ARRAY['int2'::regtype::oid, 'int4'::regtype, 'int8'::regtype, 'numeric'::regtype,
                            'int4'::regtype, 'int4'::regtype]];
        FOR sym IN SELECT name FROM public.tg_names WHERE kind = 'op' AND name IN ('=', '<>', '<', '>', '<=', '>=', '||')
        LOOP
            FOR i IN 1 .. 3 LOOP
                IF sym = '||' AND i <> 2 THEN CONTINUE; END IF;
                fam := ARRAY(SELECT DISTINCT x FROM unnest(fams[i:i][1:6]) AS x);
                common := CASE i WHEN 1 THEN 'oid'::regtype WHEN 2 THEN 'text'::regtype ELSE 'numeric'::regtype END;
                FOREACH l IN ARRAY fam LOOP
                    FOREACH r IN ARRAY fam LOOP
                        IF EXISTS (SELECT 1 FROM pg_operator WHERE oprnamespace = 'pg_catalog'::regnamespace
                                      AND oprname = sym AND oprleft = l AND oprright = r) THEN
                            CONTINUE;
                        END IF;
                        seq := seq + 1;
                        IF pg_temp.tg_shadow_op(sym, l, r, CASE WHEN sym = '||' THEN 'text'::regtype ELSE 'bool'::regtype END,
                                                common, seq) THEN
                            made_ops := made_ops + 1;
                        END IF;
                    END LOOP;
                END LOOP;
            END LOOP;
        END LOOP;
    END IF;
    RAISE WARNING 'TGSHADOWS|%|%|% types, % functions, % aggregates, % operators', who, sch, made_types, made_funcs,
        made_aggs, made_ops;
END
$gen$;
