#include "cli/recover/recover_report.hpp"

#include "cli/progress.hpp"
#include "cli/text_table.hpp"

namespace tg::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string count_of(std::uint64_t n, const char *one, const char *many) {
    return with_thousands(n) + " " + (n == 1 ? one : many);
}

std::string list_of(const std::vector<std::string> &items, std::size_t at_most) {
    std::string text;
    for (std::size_t i = 0; i < items.size() && i < at_most; ++i) text += (i ? ", " : "") + items[i];
    if (items.size() > at_most) text += ", …";
    return text;
}

std::string conflicts_text(const Plan &plan) {
    if (plan.conflicts == 0) return "none";
    std::vector<std::string> tenants;
    for (const auto &tenant : plan.tenants) {
        if (tenant.conflicts() == 0) continue;
        std::string tables;
        for (const auto &t : tenant.tables) {
            if (t.conflicts) tables += (tables.empty() ? "" : ", ") + t.rel + " " + with_thousands(t.conflicts);
        }
        tenants.push_back("tenant " + tenant.tenant + " (" + tables + ")");
    }
    return count_of(plan.conflicts, "row", "rows") + " in " + count_of(tenants.size(), "tenant", "tenants") + ": " +
           list_of(tenants, 20) + "; those tenants fail unless the live rows that hold their keys go first";
}

}  // namespace

std::string plan_text(const Plan &plan, const DeletionFilter &filter, const std::string &journal_path,
                      const Resumed &resumed) {
    const DeletionSummary &s = plan.summary;
    std::vector<std::string> tenants;
    for (const auto &t : plan.tenants) tenants.push_back(t.tenant);
    std::string text = "recover plan\n";
    text += "  filter:      " + filter_as_options(filter) + "\n";
    text += "  window:      " + plan.window.since.value_or("(any time)") + " .. " + plan.window.until.value_or("") +
            (filter.until ? "" : " (--until frozen at the first plan)") + "\n";
    text += "  tenants:     " + with_thousands(plan.tenants.size()) +
            (tenants.empty() ? "" : " (" + list_of(tenants, 10) + ")") + "\n";
    text += "  tables:      " + with_thousands(s.tables.size()) +
            (s.tables.empty() ? "" : " (" + list_of(s.tables, 10) + ")") + "\n";
    text += "  rows:        " + with_thousands(s.rows) + "\n";
    text += "  conflicts:   " + conflicts_text(plan) + "\n";
    text += "  time range:  " + (s.rows ? s.first_at + " .. " + s.last_at : std::string("-")) + "\n";
    text += "  actors:      " + (s.rows ? actors_text(s.actors, s.without_actor) : std::string("-")) + "\n";
    text += "  journal:     " + journal_path;
    if (resumed.from_journal) {
        text += " (resumed; created " + resumed.created_at + ")\n";
        text += "  done before: " + count_of(resumed.earlier_tenants, "tenant", "tenants") + ", " +
                count_of(resumed.earlier_rows, "row", "rows") + " restored by earlier runs";
        if (resumed.unjournaled_tenants) {
            text += "; " + count_of(resumed.unjournaled_tenants, "tenant", "tenants") +
                    " restored with no journal entry (a run stopped right after its COMMIT)";
        }
        text += "\n";
    } else {
        text += " (new)\n";
    }
    text += "  planned in:  " + format_seconds(plan.seconds) + "\n";
    return text;
}

bool RecoveryReport::complete() const {
    if (interrupted) return false;
    for (const auto &t : tenants) {
        if (!t.back()) return false;
    }
    return true;
}

std::string report_text(const RecoveryReport &r) {
    if (r.tenants.empty()) return "recover: nothing to restore: no deletion matches the filter in the window\n";
    TextTable table{
        {"tenant", "table", "status", "restored", "skipped", "checksum"}, {false, false, false, true, true, false}, {}};
    std::uint64_t back = 0, restored_now = 0, rows_now = 0, rows_all = 0, skipped = 0, uncounted = 0;
    std::vector<const TenantOutcome *> failed;
    for (const auto &t : r.tenants) {
        if (t.back()) back += 1;
        if (t.status == TenantStatus::restored) {
            restored_now += 1;
            rows_now += t.restored();
        }
        rows_all += t.restored();
        skipped += t.skipped();
        if (t.status == TenantStatus::restored_unjournaled) uncounted += 1;
        if (!t.back()) failed.push_back(&t);
        if (t.tables.empty()) {
            table.rows.push_back({t.tenant, "", status_text(t.status), "", "", ""});
            continue;
        }
        for (const auto &table_result : t.tables) {
            const auto count = [&](std::uint64_t n) {
                return table_result.counted ? with_thousands(n) : std::string("?");
            };
            table.rows.push_back({t.tenant, table_result.rel, status_text(t.status), count(table_result.restored),
                                  count(table_result.skipped), table_result.checksum});
        }
    }
    std::string text = "recover report\n" + render(table);
    for (const auto &t : r.tenants) {
        if (!t.error.empty()) text += "tenant " + t.tenant + " " + status_text(t.status) + ": " + t.error + "\n";
    }
    text +=
        count_of(back, "tenant", "tenants") + " of " + with_thousands(r.tenants.size()) + " back (" +
        (restored_now == 0 ? std::string("none restored in this run")
                           : with_thousands(restored_now) + " in this run: " + count_of(rows_now, "row", "rows") +
                                 " in " + format_seconds(r.seconds) + ", " + rate(rows_now, r.seconds) + " rows/s") +
        "); " + count_of(rows_all, "row", "rows") + " restored in all, " + with_thousands(skipped) + " skipped" +
        (uncounted
             ? " (and " + count_of(uncounted, "tenant", "tenants") + " restored with no journal entry: counts unknown)"
             : "") +
        "\n";
    if (!r.complete()) {
        text += "NOT COMPLETE: " + count_of(failed.size(), "tenant is", "tenants are") + " not back" +
                (r.interrupted ? " (interrupted)" : "") + ". Fix what failed, then run the same command again: it " +
                "continues from the journal " + r.journal_path + " and restores nothing twice.\n";
    }
    return text;
}

Json report_json(const RecoveryReport &r) {
    Json tenants = Json::array();
    std::uint64_t back = 0, rows = 0, skipped = 0;
    for (const auto &t : r.tenants) {
        Json tables = Json::array();
        for (const auto &table : t.tables) tables.push_back(table_to_json(table));
        back += t.back() ? 1 : 0;
        rows += t.restored();
        skipped += t.skipped();
        tenants.push_back(
            {{"tenant", t.tenant},
             {"status", status_key(t.status)},
             {"restored", t.status == TenantStatus::restored_unjournaled ? Json(nullptr) : Json(t.restored())},
             {"skipped", t.status == TenantStatus::restored_unjournaled ? Json(nullptr) : Json(t.skipped())},
             {"finished_at", t.finished_at.empty() ? Json(nullptr) : Json(t.finished_at)},
             {"error", t.error.empty() ? Json(nullptr) : Json(t.error)},
             {"tables", tables}});
    }
    return {{"format", "tenant_guard.recover_report"},
            {"version", 1},
            {"database_id", r.database_id},
            {"filter", filter_to_json(r.filter)},
            {"window", filter_to_json(r.window)},
            {"journal", r.journal_path},
            {"started_at", r.started_at},
            {"finished_at", r.finished_at},
            {"seconds", r.seconds},
            {"complete", r.complete()},
            {"interrupted", r.interrupted},
            {"totals", {{"tenants", r.tenants.size()}, {"back", back}, {"restored", rows}, {"skipped", skipped}}},
            {"tenants", tenants}};
}

}  // namespace tg::cli
