// The parts of `deletions` and `recover` that need no database: the filter,
// the journal (resuming, torn and damaged lines, the lock), the summary, the
// report and the progress line.
#include "cli/deletions/operation_filter.hpp"
#include "cli/deletions/deletions_summary.hpp"
#include "cli/cli_error.hpp"
#include "cli/progress.hpp"
#include "cli/recover/recover_journal.hpp"
#include "cli/recover/recover_report.hpp"
#include "cli_test_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tg::cli {
namespace {

DeletionFilter script_filter() {
    DeletionFilter f;
    f.since = "2026-12-01T10:00:00.000000Z";
    f.actor = "cleanup-script";
    return f;
}

TEST(DeletionFilter, ValuesInTheFunctionsOrder) {
    DeletionFilter f = script_filter();
    f.xid = "771";
    const auto values = filter_values(f);
    ASSERT_EQ(values.size(), 5u);
    EXPECT_EQ(values[0].value_or(""), "2026-12-01T10:00:00.000000Z");
    EXPECT_FALSE(values[1]);
    EXPECT_EQ(values[2].value_or(""), "cleanup-script");
    EXPECT_FALSE(values[3]);
    EXPECT_EQ(values[4].value_or(""), "771");
    EXPECT_FALSE(f.empty());
    EXPECT_TRUE(DeletionFilter{}.empty());
}

TEST(DeletionFilter, OptionsQuotedForAShell) {
    DeletionFilter f;
    f.actor = "it's me";
    f.application_name = "batch-1";
    EXPECT_EQ(filter_as_options(f), "--actor 'it'\\''s me' --application-name batch-1");
    EXPECT_EQ(shell_quoted(""), "''");
}

TEST(DeletionFilter, JsonRoundTripAndRefusals) {
    const DeletionFilter f = script_filter();
    EXPECT_EQ(filter_from_json(filter_to_json(f)), f);
    EXPECT_EQ(
        filter_to_json(f).dump(),
        R"({"since":"2026-12-01T10:00:00.000000Z","until":null,"actor":"cleanup-script","application_name":null,"xid":null})");
    EXPECT_THROW(filter_from_json(nlohmann::ordered_json::parse(R"({"since":null})")), Failure);
    EXPECT_THROW(filter_from_json(nlohmann::ordered_json::parse(
                     R"({"since":1,"until":null,"actor":null,"application_name":null,"xid":null})")),
                 Failure);
}

TEST(Journal, NameFollowsTheDatabaseAndTheFilter) {
    const std::string name = default_journal_name("7/db", script_filter());
    EXPECT_EQ(name, default_journal_name("7/db", script_filter()));
    EXPECT_EQ(name.rfind("tenant-guard-recover-", 0), 0u);
    EXPECT_EQ(name.size(), std::string("tenant-guard-recover-").size() + 16 + std::string(".journal").size());
    EXPECT_NE(name, default_journal_name("8/db", script_filter()));
    DeletionFilter other = script_filter();
    other.actor = "app";
    EXPECT_NE(name, default_journal_name("7/db", other));
}

JournalHeader header() {
    JournalHeader h;
    h.database_id = "7/db";
    h.filter = script_filter();
    h.window = script_filter();
    h.window.until = "2026-12-01T11:00:00.000000Z";
    h.created_at = "2026-12-01T11:00:00.100000Z";
    h.tenants = {{"1", 10, {"public.a", "public.b"}}, {"2", 5, {"public.a"}}};
    return h;
}

TenantOutcome restored(const std::string &tenant) {
    TenantOutcome t;
    t.tenant = tenant;
    t.status = TenantStatus::restored;
    t.finished_at = "2026-12-01T11:00:01.000000Z";
    t.tables = {{"public.a", 4, 0, "c1"}, {"public.b", 6, 1, "c2"}};
    return t;
}

TEST(Journal, CreateRecordResume) {
    testing::ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string path = dir.file("j.journal");
    EXPECT_FALSE(Journal::open_existing(path));
    {
        Journal journal = Journal::create(path, header());
        journal.record(restored("1"));
        EXPECT_THROW(Journal::open_existing(path), Failure) << "locked while a run holds it";
        EXPECT_THROW(Journal::create(path, header()), Failure) << "never replaced";
    }
    const auto again = Journal::open_existing(path);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->header().database_id, "7/db");
    EXPECT_EQ(again->header().window.until.value_or(""), "2026-12-01T11:00:00.000000Z");
    EXPECT_EQ(again->header().filter, script_filter());
    ASSERT_EQ(again->header().tenants.size(), 2u);
    EXPECT_EQ(again->header().tenants[0].tables, (std::vector<std::string>{"public.a", "public.b"}));
    ASSERT_EQ(again->earlier().size(), 1u);
    const TenantOutcome &t = again->earlier()[0];
    EXPECT_EQ(t.tenant, "1");
    EXPECT_EQ(t.status, TenantStatus::restored_earlier);
    EXPECT_EQ(t.restored(), 10u);
    EXPECT_EQ(t.skipped(), 1u);
    EXPECT_EQ(t.tables[1].checksum, "c2");
    EXPECT_TRUE(again->notes().empty());
}

TEST(Journal, TornLastLineIsCutOffDamageIsRefused) {
    testing::ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string path = dir.file("j.journal");
    { Journal::create(path, header()).record(restored("1")); }
    const std::string whole = testing::read_file(path);
    testing::write_file(path, whole + R"({"tenant":"2","fini)");
    {
        auto journal = Journal::open_existing(path);
        ASSERT_TRUE(journal);
        EXPECT_EQ(journal->earlier().size(), 1u);
        ASSERT_EQ(journal->notes().size(), 1u);
        EXPECT_NE(journal->notes()[0].find("line 3"), std::string::npos) << journal->notes()[0];
        journal->record(restored("2"));  // after the cut, not glued to the torn line
    }
    auto journal = Journal::open_existing(path);
    ASSERT_TRUE(journal);
    EXPECT_EQ(journal->earlier().size(), 2u);
    EXPECT_TRUE(journal->notes().empty());
    journal.reset();

    testing::write_file(path, header_line(header()) + "garbage\n" + tenant_line(restored("1")));
    EXPECT_THROW(Journal::open_existing(path), Failure);
    testing::write_file(path, "{\"format\":\"something else\"}\n");
    EXPECT_THROW(Journal::open_existing(path), Failure);
    testing::write_file(path, "");
    EXPECT_THROW(Journal::open_existing(path), Failure);
}

TEST(Summary, TenantsTablesRowsRangeActors) {
    std::vector<DeletionRow> rows = {
        {"1", "public.a", 10, "2026-12-01T10:00:02.000000Z", "2026-12-01T10:00:03.000000Z", 1, {"s"}, false},
        {"1", "public.b", 5, "2026-12-01T10:00:01.000000Z", "2026-12-01T10:00:02.000000Z", 1, {"s"}, false},
        {"2", "public.a", 1, "2026-12-01T10:00:05.000000Z", "2026-12-01T10:00:09.000000Z", 2, {}, true},
    };
    const DeletionSummary s = summarize(rows);
    EXPECT_EQ(s.tenants, 2u);
    EXPECT_EQ(s.tables, (std::vector<std::string>{"public.a", "public.b"}));
    EXPECT_EQ(s.rows, 16u);
    EXPECT_EQ(s.first_at, "2026-12-01T10:00:01.000000Z");
    EXPECT_EQ(s.last_at, "2026-12-01T10:00:09.000000Z");
    EXPECT_EQ(summary_line(s),
              "2 tenants, 2 tables, 16 rows, deleted 2026-12-01T10:00:01.000000Z .. "
              "2026-12-01T10:00:09.000000Z, actors: s, (none)");
    EXPECT_EQ(summary_line(summarize({})), "nothing deleted matches");
    EXPECT_EQ(summary_to_json(s)["actors"].dump(), R"(["s",null])");
}

TEST(Report, CompleteOnlyWhenEveryTenantIsBack) {
    RecoveryReport r;
    r.journal_path = "j.journal";
    r.tenants.push_back(restored("1"));
    TenantOutcome earlier = restored("2");
    earlier.status = TenantStatus::restored_earlier;
    r.tenants.push_back(earlier);
    TenantOutcome unjournaled;
    unjournaled.tenant = "3";
    unjournaled.status = TenantStatus::restored_unjournaled;
    unjournaled.tables = {{"public.a", 0, 0, "c9", false}};
    r.tenants.push_back(unjournaled);
    EXPECT_TRUE(r.complete());
    std::string text = report_text(r);
    EXPECT_NE(text.find("3 tenants of 3 back"), std::string::npos) << text;
    EXPECT_NE(text.find("|        ? |       ? | c9"), std::string::npos) << "uncounted rows shown as ?\n" << text;
    EXPECT_EQ(text.find("NOT COMPLETE"), std::string::npos) << text;
    const auto json = report_json(r);
    EXPECT_TRUE(json["complete"].get<bool>());
    EXPECT_EQ(json["totals"]["restored"].get<int>(), 20);
    EXPECT_TRUE(json["tenants"][2]["restored"].is_null());

    TenantOutcome failed;
    failed.tenant = "4";
    failed.status = TenantStatus::failed;
    failed.error = "ERROR TG020: conflict";
    r.tenants.push_back(failed);
    EXPECT_FALSE(r.complete());
    text = report_text(r);
    EXPECT_NE(text.find("tenant 4 FAILED: ERROR TG020: conflict"), std::string::npos) << text;
    EXPECT_NE(text.find("NOT COMPLETE: 1 tenant is not back"), std::string::npos) << text;
    EXPECT_NE(text.find("j.journal"), std::string::npos) << text;
    EXPECT_EQ(report_json(r)["totals"]["back"].get<int>(), 3);

    r.tenants.pop_back();
    r.interrupted = true;
    EXPECT_FALSE(r.complete()) << "an interrupted run is never complete";
}

TEST(Progress, GoalLine) {
    EXPECT_EQ(goal_line(1, 4, "tenants", 250, 1000, 2.0),
              "1/4 tenants, 250/1,000 rows, 125 rows/s, 2.0 s, about 6.0 s left");
    EXPECT_EQ(goal_line(0, 4, "tenants", 0, 1000, 0.0), "0/4 tenants, 0/1,000 rows, - rows/s, 0.0 ms");
    EXPECT_EQ(time_left(4, 4, 3.0), "");
}

}  // namespace
}  // namespace tg::cli
