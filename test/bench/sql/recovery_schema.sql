-- recovery.sh: the application's tables, an issue tracker as many SaaS products
-- are built: projects -> issues -> comments, every child pointing at a parent of
-- its own tenant (keys are (tenant_id, id)), ON DELETE CASCADE. The same schema
-- serves the protected databases and the unprotected twin (the baseline).
CREATE TABLE projects (
    tenant_id   int         NOT NULL,
    id          bigint      NOT NULL,
    key         text        NOT NULL,
    name        text        NOT NULL,
    description text,
    budget      numeric(12,2),
    archived    boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE issues (
    tenant_id      int         NOT NULL,
    id             bigint      NOT NULL,
    project_id     bigint      NOT NULL,
    number         int         NOT NULL,
    title          text        NOT NULL,
    status         text        NOT NULL,
    priority       text        NOT NULL,
    labels         text[]      NOT NULL DEFAULT '{}',
    estimate_hours numeric(6,2),
    reporter       text        NOT NULL,
    assignee       text,
    created_at     timestamptz NOT NULL,
    resolved_at    timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES projects ON DELETE CASCADE
);
CREATE INDEX ON issues (tenant_id, project_id);

CREATE TABLE comments (
    tenant_id   int         NOT NULL,
    id          bigint      NOT NULL,
    issue_id    bigint      NOT NULL,
    author      text        NOT NULL,
    body        text        NOT NULL,
    is_internal boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    edited_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, issue_id) REFERENCES issues ON DELETE CASCADE
);
CREATE INDEX ON comments (tenant_id, issue_id);

-- What the bench compares and checks: per-tenant row counts of the three tables.
CREATE FUNCTION bench_tenant_rows(t int) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT (SELECT count(*) FROM projects WHERE tenant_id = t)
         + (SELECT count(*) FROM issues WHERE tenant_id = t)
         + (SELECT count(*) FROM comments WHERE tenant_id = t)
$$;

-- A digest of one tenant's rows in the three tables: the bench checks that an
-- undelete or rewind puts back exactly what was there.
CREATE FUNCTION bench_tenant_md5(t int) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT md5(concat_ws('|',
        (SELECT string_agg(p::text, ',' ORDER BY p.id) FROM projects AS p WHERE p.tenant_id = t),
        (SELECT string_agg(i::text, ',' ORDER BY i.id) FROM issues AS i WHERE i.tenant_id = t),
        (SELECT string_agg(c::text, ',' ORDER BY c.id) FROM comments AS c WHERE c.tenant_id = t)))
$$;
