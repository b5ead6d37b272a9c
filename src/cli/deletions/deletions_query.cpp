#include "cli/deletions/deletions_query.hpp"

#include "cli/cli_error.hpp"
#include "cli/db/data_settings.hpp"

#include <nlohmann/json.hpp>

namespace tg::cli {

std::string utc_text_sql(const std::string &expression) {
    return "to_char((" + expression + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

std::string qualified_rel_sql(const std::string &column) {
    return "(SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c "
           "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = " +
           column + ")";
}

namespace {

std::optional<std::string> normalized(Connection &conn, const std::optional<std::string> &value, const std::string &sql,
                                      const char *option) {
    if (!value) return std::nullopt;
    try {
        return conn.exec(sql, {*value}).get(0, 0);
    } catch (const PgError &error) {
        // 22xxx: data exceptions (bad time or xid syntax, out of range).
        if (error.sqlstate().rfind("22", 0) != 0) throw;
        throw UsageError(std::string(option) + " " + *value + ": " + error.what());
    }
}

}  // namespace

DeletionFilter normalize_filter(Connection &conn, const DeletionFilter &filter) {
    DeletionFilter out = filter;
    const std::string time_sql = "SELECT " + utc_text_sql("$1::timestamptz");
    out.since = normalized(conn, filter.since, time_sql, "--since");
    out.until = normalized(conn, filter.until, time_sql, "--until");
    out.xid = normalized(conn, filter.xid, "SELECT $1::xid8::text", "--xid");
    return out;
}

void fixed_output_settings(Connection &conn) { apply_data_settings(conn); }

void rethrow_explained(const PgError &error, const std::string &function) {
    if (error.sqlstate() == "42883" && std::string(error.what()).find(function) != std::string::npos) {
        throw Failure("this database's tenant_guard has no " + function +
                      " (it came with the 0.4.0 SQL API): run ALTER EXTENSION tenant_guard UPDATE\n" +
                      error.describe());
    }
    throw error;
}

std::vector<DeletionRow> fetch_deletions(Connection &conn, const DeletionFilter &filter) {
    const std::string sql = "SELECT d.tenant, " + qualified_rel_sql("d.rel") + ", d.rows, " +
                            utc_text_sql("d.first_at") + ", " + utc_text_sql("d.last_at") +
                            ", d.transactions, pg_catalog.to_json(d.actors)::text "
                            "FROM tenant_guard.deletions($1::timestamptz, $2::timestamptz, $3, $4, $5::xid8) AS d "
                            "ORDER BY d.tenant, 2";
    const Result result = [&] {
        try {
            return conn.exec(sql, filter_values(filter));
        } catch (const PgError &error) {
            rethrow_explained(error, "tenant_guard.deletions");
        }
    }();
    std::vector<DeletionRow> rows;
    for (int r = 0; r < result.rows(); ++r) {
        DeletionRow row;
        row.tenant = result.get(r, 0);
        row.rel = result.get(r, 1);
        row.rows = std::stoull(result.get(r, 2));
        row.first_at = result.get(r, 3);
        row.last_at = result.get(r, 4);
        row.transactions = std::stoull(result.get(r, 5));
        if (!result.is_null(r, 6)) {
            for (const auto &actor : nlohmann::json::parse(result.get(r, 6))) {
                if (actor.is_null()) {
                    row.without_actor = true;
                } else {
                    row.actors.push_back(actor.get<std::string>());
                }
            }
        }
        // deletions() leaves NULL out of actors: an empty list means none was set.
        if (row.actors.empty()) row.without_actor = true;
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace tg::cli
