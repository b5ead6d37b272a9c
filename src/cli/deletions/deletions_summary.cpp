#include "cli/deletions/deletions_summary.hpp"

#include "cli/progress.hpp"

#include <algorithm>
#include <set>

namespace tg::cli {
namespace {

std::string plural(std::uint64_t n, const char *one, const char *many) {
    return with_thousands(n) + " " + (n == 1 ? one : many);
}

}  // namespace

DeletionSummary summarize(const std::vector<DeletionRow> &rows) {
    DeletionSummary summary;
    std::set<std::string> tenants, tables, actors;
    for (const auto &row : rows) {
        tenants.insert(row.tenant);
        tables.insert(row.rel);
        actors.insert(row.actors.begin(), row.actors.end());
        summary.without_actor = summary.without_actor || row.without_actor;
        summary.rows += row.rows;
        if (summary.first_at.empty() || row.first_at < summary.first_at) summary.first_at = row.first_at;
        if (row.last_at > summary.last_at) summary.last_at = row.last_at;
    }
    summary.tenants = tenants.size();
    summary.tables.assign(tables.begin(), tables.end());
    summary.actors.assign(actors.begin(), actors.end());
    return summary;
}

std::string actors_text(const std::vector<std::string> &actors, bool without_actor) {
    std::string text;
    for (const auto &actor : actors) text += (text.empty() ? "" : ", ") + actor;
    if (without_actor) text += text.empty() ? "(none)" : ", (none)";
    return text;
}

std::string summary_line(const DeletionSummary &s) {
    if (s.rows == 0) return "nothing deleted matches";
    return plural(s.tenants, "tenant", "tenants") + ", " + plural(s.tables.size(), "table", "tables") + ", " +
           plural(s.rows, "row", "rows") + ", deleted " + s.first_at + " .. " + s.last_at +
           ", actors: " + actors_text(s.actors, s.without_actor);
}

nlohmann::ordered_json summary_to_json(const DeletionSummary &s) {
    nlohmann::ordered_json actors = s.actors;
    if (s.without_actor) actors.push_back(nullptr);
    return {{"tenants", s.tenants},
            {"tables", s.tables},
            {"rows", s.rows},
            {"first_at", s.rows ? nlohmann::ordered_json(s.first_at) : nlohmann::ordered_json(nullptr)},
            {"last_at", s.rows ? nlohmann::ordered_json(s.last_at) : nlohmann::ordered_json(nullptr)},
            {"actors", actors}};
}

nlohmann::ordered_json row_to_json(const DeletionRow &row) {
    nlohmann::ordered_json actors = row.actors;
    if (row.without_actor) actors.push_back(nullptr);
    return {{"tenant", row.tenant},     {"table", row.rel},       {"rows", row.rows},
            {"first_at", row.first_at}, {"last_at", row.last_at}, {"transactions", row.transactions},
            {"actors", actors}};
}

}  // namespace tg::cli
