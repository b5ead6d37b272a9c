// tenant_guard.purge(token, dry_run): the only way to delete for good. A
// verified, unused token names one tenant (and optionally tables and rows);
// in one transaction, children before parents, purge deletes the live rows
// (if the token says live), the tombstones and every change-log row of that
// scope, then records a receipt (never row contents). The purge's own deletes
// are not captured: nothing of the rows may remain.
#include <map>
#include <optional>
#include <set>

#include "extension/change_seq.hpp"
#include "extension/history_entries.hpp"
#include "extension/citus.hpp"
#include "extension/columns.hpp"
#include "extension/errors.hpp"
#include "extension/fk_order.hpp"
#include "extension/capture_scopes.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/pg/function_args.hpp"
#include "extension/purge_pg.hpp"
#include "extension/renames.hpp"
#include "extension/restore_rights.hpp"
#include "extension/spi.hpp"
#include "extension/tenant_lock.hpp"
#include "extension/table_counts.hpp"
#include "extension/subtransaction.hpp"
#include "extension/token_check.hpp"

namespace {

using namespace tg;

constexpr int scope_invalid = sqlstate::token_scope_invalid;
constexpr int scope_too_large = sqlstate::token_scope_too_large;

// One table of the purge's scope.
struct ScopeTable {
    registry::ProtectedTable table;
    columns::TableSql sql;          // the table's SQL vocabulary
    std::string rel;                // qualified name (sql.rel())
    std::string tenant_match;       // SQL predicate on alias x: the tenant is $1
    std::string pk_json;            // SQL: the row's primary key as jsonb (alias x)
    std::vector<std::string> rows;  // the token's row keys that belong to this table, canonical
    bool tenant_fits = true;        // false: the tenant is no value of this table's tenant type
    int64 live = 0, tombstones = 0, history = 0;
};

// Runs one query in a subtransaction that is rolled back; returns its first
// column's text, or nullopt when PostgreSQL refused it (e.g. an input that
// does not convert to a column's type).
std::vector<std::string> primary_key_columns(Oid relid) { return columns::names(relid, columns::primary_key, false); }

// The sorted keys of a JSON object (the token's row key), via PostgreSQL.
std::vector<std::string> object_keys(const std::string &json) {
    uint64 n =
        spi::exec("SELECT k FROM jsonb_object_keys($1::jsonb) AS k ORDER BY k COLLATE \"C\"", {spi::text_arg(json)});
    std::vector<std::string> out;
    for (uint64 r = 0; r < n; r++) out.push_back(spi::text(r, 1));
    return out;
}

// The tenant as a value of one table's tenant column. The scope is exact: a
// tenant is matched as an exact value of the column's type, never through a
// cast to the column's typmod (varchar(4) would make 'acme-corp-2' 'acme',
// numeric(4,1) would round), and a spelling that is not the column's own
// output form ('01' for an int, an upper-case uuid, '5' for numeric(6,2)) is
// refused (TG017): tombstones and history are keyed by that output form, so a
// purge would otherwise erase live rows and report the rest as done.
void match_tenant(ScopeTable &s, const std::string &tenant) {
    const registry::ProtectedTable &t = s.table;
    uint64 n = spi::exec(
        "SELECT format_type(atttypid, NULL), format_type(atttypid, atttypmod), atttypid "
        "FROM pg_catalog.pg_attribute WHERE attrelid = $1 AND attname = $2 AND NOT attisdropped",
        {{OIDOID, datum::from_oid(t.relid)}, spi::text_arg(t.tenant_column)});
    if (n == 0) throw Error(ERRCODE_UNDEFINED_COLUMN, "tenant column of " + s.rel + " is missing");
    std::string type = spi::text(0, 1), column_type = spi::text(0, 2);
    std::string eq = columns::equality_operator((Oid)spi::int64_at(0, 3));
    // And spelled as the tenant: the column's = may take other values for
    // equal (a nondeterministic collation, citext: 'ACME' = 'acme'), which
    // are other tenants, as capture keeps them apart by their text.
    s.tenant_match = "x." + spi::quote_ident(t.tenant_column) + " " + eq + " $1::" + type + " AND " +
                     columns::tenant_text_is("x." + spi::quote_ident(t.tenant_column), "$1");
    AsTableOwner owner(t.relid);  // the tenant type's input and domain checks are the owner's code
    std::vector<spi::Arg> arg = {spi::text_arg(tenant)};
    auto as_type = spi::try_text("SELECT $1::" + type, arg);  // in the type's output form, as capture writes it
    auto as_column = spi::try_text("SELECT $1::" + column_type, arg);
    s.tenant_fits = as_type.has_value();
    if (!s.tenant_fits || (as_column && *as_column == tenant)) return;
    // Written differently from the column's output: the same value spelled
    // otherwise (refused), or no value the column can hold (no rows there).
    auto same_value = spi::try_text("SELECT $1::" + type + " " + eq + " $1::" + column_type, arg);
    if (as_column && (*as_type != tenant || (same_value && *same_value == "t")))
        throw Error(scope_invalid,
                    "tenant \"" + tenant + "\" of the token is not written as " + s.rel + " writes its tenants: \"" +
                        *as_column + "\"",
                    "Tombstones and history are kept under the tenant's canonical form; nothing was deleted.",
                    "Ask for a token whose tenant is \"" + *as_column + "\".");
    s.tenant_fits = false;
}

ScopeTable describe(const registry::ProtectedTable &t, const std::string &tenant) {
    ScopeTable s{t, columns::TableSql(t.relid)};
    s.rel = s.sql.rel();
    match_tenant(s, tenant);
    s.pk_json = s.sql.key_object("x");
    return s;
}

std::vector<ScopeTable> resolve_scope(const tokens::VerifiedToken &token) {
    auto active = registry::active_tables();
    std::vector<registry::ProtectedTable> chosen;
    if (token.tables.empty()) {
        chosen = active;
    } else {
        for (const auto &name : token.tables) {
            Oid relid;
            {
                spi::AsExtensionOwner owner;  // the token is the authority: no USAGE on the table's schema needed
                relid = spi::relation_named(name);
            }
            const registry::ProtectedTable *match = nullptr;
            for (const auto &t : active)
                if (t.relid == relid) match = &t;
            if (!match)
                throw Error(scope_invalid, "table \"" + name + "\" of the token is not a protected table", "",
                            "Name protected tables by their qualified name, e.g. \"public.orders\".");
            renames::refuse_renamed_since_signed(relid, name, token);
            chosen.push_back(*match);
        }
    }
    // Children before parents: the reverse of the restore order.
    for (const auto &t : chosen) citus::refuse_citus_table(t.relid, "purge rows of");
    auto ordered = parents_first(chosen);
    std::vector<ScopeTable> scope;
    for (auto it = ordered.rbegin(); it != ordered.rend(); ++it) scope.push_back(describe(*it, *token.tenant));

    // Each row key goes to the tables whose primary key it names.
    for (const auto &row : token.rows_json) {
        // A primary key is never NULL: a null in a row key names no row.
        if (spi::exec("SELECT 1 FROM jsonb_each($1::jsonb) AS e WHERE e.value = 'null'::jsonb", {spi::text_arg(row)}))
            throw Error(scope_invalid, "row key " + row + " of the token has a null value", "",
                        "Primary-key values are never NULL; name each row by its key values.");
        auto keys = object_keys(row);
        bool placed = false;
        for (auto &s : scope)
            if (primary_key_columns(s.table.relid) == keys) {
                // Through the table's own types: {"id": "7"} means id 7, and a
                // key that is no value of its column is refused, not ignored.
                AsTableOwner owner(s.table.relid);
                auto canonical =
                    spi::try_text("SELECT " + std::string(s.pk_json) + " FROM " + s.sql.key_record("$1::jsonb", "x"),
                                  {spi::text_arg(row)});
                if (!canonical)
                    throw Error(scope_invalid, "row key " + row + " of the token is no primary key of " + s.rel, "",
                                "Each value must be a value of its primary-key column, e.g. {\"id\": 7}.");
                s.rows.push_back(*canonical);
                placed = true;
            }
        if (!placed)
            throw Error(scope_invalid, "row key " + row + " of the token matches no table in scope", "",
                        "A row key names every primary-key column of a table, e.g. {\"id\": 7}.");
    }
    if (!token.rows_json.empty()) {  // with rows, only tables that have some are in scope
        std::vector<ScopeTable> kept;
        for (auto &s : scope)
            if (!s.rows.empty()) kept.push_back(std::move(s));
        scope = std::move(kept);
    }
    return scope;
}

// A live purge must not reach beyond its scope through foreign-key actions:
// an ON DELETE action into a protected table outside the scope, directly or
// through unprotected tables the cascade deletes from, whose own actions go
// on from there (the attacker's report of 0.12.0: another tenant's row of a
// protected table outside the scope went). A walk over pg_constraint from
// the scope's tables and their partitions.
void check_cascades(const std::vector<ScopeTable> &scope) {
    auto active = registry::active_tables();
    std::set<Oid> scope_members, seen;
    std::vector<std::pair<Oid, Oid>> frontier;  // (table reached, the scope's table it was reached from)
    for (const auto &s : scope)
        for (Oid member : pg::all_inheritors(s.table.relid, false)) {
            scope_members.insert(member);
            seen.insert(member);
            frontier.push_back({member, s.table.relid});
        }
    while (!frontier.empty()) {
        auto [relid, from] = frontier.back();
        frontier.pop_back();
        uint64 n = spi::exec(
            "SELECT conrelid, confdeltype::text FROM pg_catalog.pg_constraint "
            "WHERE contype = 'f' AND confrelid = $1 AND confdeltype IN ('c', 'n', 'd')",
            {{OIDOID, datum::from_oid(relid)}});
        std::vector<std::pair<Oid, bool>> children;
        for (uint64 r = 0; r < n; r++) children.push_back({(Oid)spi::int64_at(r, 1), spi::text(r, 2) == "c"});
        for (auto [child, cascades] : children) {
            if (scope_members.count(child)) continue;
            if (auto protected_child = registry::covering(child, active)) {
                std::string target = spi::qualified_name(protected_child->relid);
                throw Error(
                    scope_invalid,
                    "deleting live rows of " + spi::qualified_name(from) + " would cascade into " + target +
                        ", which is not in the token's scope" +
                        (scope_members.count(relid) ? std::string()
                                                    : " (through unprotected " + spi::qualified_name(relid) + ")"),
                    "", "Ask for a token whose tables include " + target + ".");
            }
            if (!cascades) continue;  // SET NULL / DEFAULT: its rows stay
            for (Oid member : pg::all_inheritors(child, false))
                if (seen.insert(member).second) frontier.push_back({member, from});
        }
    }
}

std::vector<spi::Arg> args_for(const ScopeTable &s, const tokens::VerifiedToken &token) {
    std::vector<Datum> rows;
    for (const auto &r : s.rows) rows.push_back(pg::jsonb_datum(r.c_str()));
    return {spi::text_arg(*token.tenant),
            {JSONBARRAYOID, spi::array_of(rows, JSONBOID)},
            {INT4OID, datum::from_int32(s.table.table_id)}};
}

// " AND <row key in the token's list>" when the token names rows.
std::string row_filter(const ScopeTable &s, const std::string &pk_expr) {
    return s.rows.empty() ? std::string() : " AND " + pk_expr + " = ANY ($2)";
}

void count_scope(std::vector<ScopeTable> &scope, const tokens::VerifiedToken &token) {
    int64 total = 0;
    if (token.live) check_cascades(scope);
    if (token.live)
        for (const auto &s : scope) refuse_forced_row_security(s.table.relid, "purge live rows of");
    for (auto &s : scope) {
        auto args = args_for(s, token);
        if (token.live && s.tenant_fits) {
            AsTableOwner owner(s.table.relid);
            spi::exec("SELECT count(*) FROM " + s.rel + " AS x WHERE " + s.tenant_match + row_filter(s, s.pk_json),
                      args);
            s.live = spi::int64_at(0, 1);
        }
        spi::AsExtensionOwner owner;
        spi::exec("SELECT count(*) FROM tenant_guard.tombstone_data x WHERE x.table_id = $3 AND x.tenant = $1" +
                      row_filter(s, "x.pk"),
                  args);
        s.tombstones = spi::int64_at(0, 1);
        total += s.live + s.tombstones;
    }
    if (total > token.max_rows)
        throw Error(scope_too_large,
                    "the token's scope (tenant \"" + *token.tenant + "\") holds " + std::to_string(total) +
                        " rows, more than its max_rows " + std::to_string(token.max_rows),
                    "Nothing was deleted.", "Check the scope; if it is right, ask for a token with a larger max_rows.");
}

void erase(std::vector<ScopeTable> &scope, const tokens::VerifiedToken &token) {
    const int64 purge_from = next_change_seq();
    PurgeSilence silence;
    silence.tenant = *token.tenant;
    for (const auto &s : scope) {
        for (Oid member : pg::all_inheritors(s.table.relid, false))
            silence.rows[member] = std::set<std::string>(s.rows.begin(), s.rows.end());
    }
    std::vector<std::string> deferred;
    if (token.live)
        for (const auto &s : scope)
            if (s.tenant_fits)
                for (auto &c : make_constraints_immediate(s.table.relid)) deferred.push_back(std::move(c));
    PurgeScope purging(silence);
    for (auto &s : scope) {
        auto args = args_for(s, token);
        if (token.live && s.tenant_fits) {
            // As the table's owner, in a restricted context, as PostgreSQL runs
            // maintenance: the token, not the caller's privileges, authorises it.
            AsTableOwner as_owner(s.table.relid);
            s.live = (int64)spi::exec(
                "DELETE FROM " + s.rel + " AS x WHERE " + s.tenant_match + row_filter(s, s.pk_json), args);
        }
        spi::AsExtensionOwner owner;
        s.tombstones = (int64)spi::exec(
            "DELETE FROM tenant_guard.tombstone_data x WHERE x.table_id = $3 AND x.tenant = $1" + row_filter(s, "x.pk"),
            args);
        // Not what the purge's own transaction logged since it began: a row a
        // table owner's trigger wrote meanwhile is captured as usual and stays
        // (the attacker's report of 0.12.0: its record went, the row stayed).
        auto history_args = args;
        history_args.push_back({INT8OID, datum::from_int64(purge_from)});
        // Single rows are erased from rows: the entries of the tenant's
        // history of the table become rows first. An entry counts its rows.
        if (!s.rows.empty()) explode_entries(s.table, *token.tenant);
        spi::exec("WITH gone AS (DELETE FROM tenant_guard.change_log_data x WHERE x.table_id = $3 AND x.tenant = $1" +
                      row_filter(s, "x.pk") +
                      " AND NOT (x.seq >= $4 AND x.xid = pg_catalog.pg_current_xact_id())"
                      " RETURNING " +
                      changes_held("x") +
                      " AS n) "
                      "SELECT coalesce(sum(n), 0)::bigint FROM gone",
                  history_args);
        s.history = spi::int64_at(0, 1);
    }
    defer_again(deferred);
}

void record_receipt(const std::vector<ScopeTable> &scope, const tokens::VerifiedToken &token) {
    int64 live = 0, tombstones = 0, history = 0;
    std::vector<std::string> tables;
    for (const auto &s : scope) {
        live += s.live;
        tombstones += s.tombstones;
        history += s.history;
        tables.push_back(s.rel);
    }
    std::string rows = "[";
    for (size_t i = 0; i < token.rows_json.size(); i++) rows += (i ? "," : "") + token.rows_json[i];
    rows += "]";
    spi::AsExtensionOwner owner;
    spi::exec(
        "INSERT INTO tenant_guard.purge_receipt (jti, key_id, act, tenant, tables, row_keys, live_deleted, "
        "tombstones_deleted, history_deleted, reason, token_sha256) "
        "VALUES ($1, $2, 'purge', $3, string_to_array($4, E'\\n'), $5::jsonb, $6, $7, $8, $9, $10)",
        {spi::text_arg(token.jti),
         spi::text_arg(token.kid),
         spi::text_arg(*token.tenant),
         spi::text_arg([&] {
             std::string joined;
             for (size_t i = 0; i < tables.size(); i++) joined += (i ? "\n" : "") + tables[i];
             return joined;
         }()),
         token.rows_json.empty() ? spi::null_arg(TEXTOID) : spi::text_arg(rows),
         {INT8OID, datum::from_int64(live)},
         {INT8OID, datum::from_int64(tombstones)},
         {INT8OID, datum::from_int64(history)},
         spi::text_arg(token.reason),
         spi::text_arg(token.token_sha256)});
}

std::vector<ScopeTable> run_purge(const std::string &token_text) {
    spi::Session spi;
    tokens::VerifiedToken token = verify_token(token_text, "purge");
    consume_token(token);
    if (token.tenant) lock_tenant(*token.tenant);
    std::vector<ScopeTable> scope = resolve_scope(token);
    count_scope(scope, token);
    erase(scope, token);
    record_receipt(scope, token);
    return scope;
}

std::vector<ScopeTable> run_dry(const std::string &token_text) {
    spi::Session spi;
    tokens::VerifiedToken token = verify_token(token_text, "purge");
    consume_token(token);  // rolled back with the rest: a dry run leaves the token unused
    if (token.tenant) lock_tenant(*token.tenant);
    std::vector<ScopeTable> scope = resolve_scope(token);
    count_scope(scope, token);
    for (auto &s : scope) {
        auto args = args_for(s, token);
        spi::AsExtensionOwner owner;
        spi::exec("SELECT count(*) FROM " + change_rows() + " x WHERE x.table_id = $3 AND x.tenant = $1" +
                      row_filter(s, "x.pk"),
                  args);
        s.history = spi::int64_at(0, 1);
    }
    return scope;
}

}  // namespace

TG_FUNCTION(tg_purge) {
    spi::PinnedOutputSettings output;  // values compared and read as the images spell them
    if (pg::arg_is_null(fcinfo, 0)) throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "token must not be NULL");
    std::string token = pg::arg_text(fcinfo, 0);
    bool dry_run = !pg::arg_is_null(fcinfo, 1) && pg::arg_bool(fcinfo, 1);
    std::vector<ScopeTable> scope = dry_run ? run_and_roll_back([&] { return run_dry(token); }) : run_purge(token);
    std::vector<TableCountRow<3>> rows;
    for (const auto &s : scope) rows.push_back({s.table.relid, {s.live, s.tombstones, s.history}});
    return_table_counts(fcinfo, rows);
    return (Datum)0;
}
