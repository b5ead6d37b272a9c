#include "cli/cli_args.hpp"
#include "cli/commands/cursor_file.hpp"
#include "cli/cli_error.hpp"
#include "cli_test_support.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>

namespace tg::cli {
namespace {

struct Parsed {
    ParseOutcome outcome;
    std::string out, err;
};

Parsed parse(std::vector<const char *> args) {
    args.insert(args.begin(), "tenant-guard");
    std::ostringstream out, err;
    Parsed p{parse_args(static_cast<int>(args.size()), args.data(), out, err), "", ""};
    p.out = out.str();
    p.err = err.str();
    return p;
}

TEST(Args, TokenWithEverything) {
    const Parsed p =
        parse({"token",    "--key",   "k.key",    "--kid",  "ops",        "--tenant", "8",         "--table",
               "public.a", "--table", "public.b", "--live", "--max-rows", "100",      "--expires", "1h30m",
               "--reason", "GDPR",    "--db-id",  "1/db",   "-d",         "dbname=x"});
    ASSERT_FALSE(p.outcome.exit_code) << p.err;
    const Options &o = p.outcome.options;
    EXPECT_EQ(o.command, Command::token);
    EXPECT_EQ(o.tables, (std::vector<std::string>{"public.a", "public.b"}));
    EXPECT_TRUE(o.live);
    EXPECT_EQ(o.max_rows, 100);
    EXPECT_EQ(o.expires_seconds, 5400);
    EXPECT_EQ(o.act, "purge");
    ASSERT_TRUE(o.db_id);
    EXPECT_EQ(*o.db_id, "1/db");
    EXPECT_EQ(o.dbname, "dbname=x");  // -d after the subcommand reaches the main command
}

TEST(Args, DbIdAbsentMeansAskTheServer) {
    const Parsed p = parse(
        {"token", "--key", "k", "--kid", "i", "--tenant", "8", "--max-rows", "1", "--expires", "15m", "--reason", "r"});
    ASSERT_FALSE(p.outcome.exit_code) << p.err;
    EXPECT_FALSE(p.outcome.options.db_id);
}

TEST(Args, UsageErrorsExitTwo) {
    const std::vector<std::vector<const char *>> cases = {
        {},              // no subcommand
        {"frobnicate"},  // unknown subcommand
        {"keygen"},      // --out missing
        {"token", "--key", "k", "--kid", "i", "--tenant", "8", "--max-rows", "x", "--expires", "15m", "--reason", "r"},
        {"token", "--key", "k", "--kid", "i", "--tenant", "8", "--max-rows", "1", "--expires", "15", "--reason", "r"},
        {"token", "--key", "k", "--kid", "i", "--max-rows", "1", "--expires", "15m", "--reason", "r"},  // no tenant
        {"token", "--key", "k", "--kid", "i", "--act", "unprotect", "--max-rows", "1", "--expires", "15m", "--reason",
         "r"},  // unprotect without --table
        {"token", "--key", "k", "--kid", "i", "--tenant", "8", "--act", "erase", "--max-rows", "1", "--expires", "15m",
         "--reason", "r"},
        {"purge"},                                     // no token
        {"export", "--tenant", "4"},                   // no --out
        {"export", "--out", "f"},                      // no --tenant
        {"export", "--verify", "f", "--tenant", "4"},  // verify excludes tenant
        {"import"},                                    // no file
        {"import", "f", "--as-tenant", ""},
        {"tail", "--batch", "0"},
        {"status", "--bogus"},
        {"recover", "--yes"},  // no filter
        {"recover", "--actor", "a", "--jobs", "0"},
        {"recover", "--actor", "a", "--jobs", "x"},
        {"recover", "--xid", "12abc"},  // the server would read 12
        {"deletions", "--actor", ""},
        {"deletions", "--since"},  // no value
    };
    for (const auto &args : cases) {
        const Parsed p = parse(args);
        std::string shown;
        for (const char *a : args) shown += std::string(a) + " ";
        ASSERT_TRUE(p.outcome.exit_code) << shown;
        EXPECT_EQ(*p.outcome.exit_code, exit_usage) << shown;
        EXPECT_FALSE(p.err.empty()) << shown;
    }
}

TEST(Args, HelpEverywhereExitsZero) {
    for (const char *sub : {"keygen", "token", "purge", "export", "import", "tail", "status", "deletions", "recover"}) {
        const Parsed p = parse({sub, "--help"});
        ASSERT_TRUE(p.outcome.exit_code) << sub;
        EXPECT_EQ(*p.outcome.exit_code, exit_ok) << sub;
        EXPECT_NE(p.out.find(std::string("tenant-guard ") + sub), std::string::npos) << sub << ":\n" << p.out;
    }
    const Parsed top = parse({"--help"});
    ASSERT_TRUE(top.outcome.exit_code);
    EXPECT_EQ(*top.outcome.exit_code, exit_ok);
    EXPECT_NE(top.out.find("Exit codes"), std::string::npos);
}

TEST(Args, ExportVerifyIsItsOwnCommand) {
    const Parsed p = parse({"export", "--verify", "a.tar"});
    ASSERT_FALSE(p.outcome.exit_code) << p.err;
    EXPECT_EQ(p.outcome.options.command, Command::verify);
    EXPECT_EQ(p.outcome.options.archive, "a.tar");
}

TEST(Args, ImportAndTail) {
    Parsed p = parse({"import", "a.tar", "--as-tenant", "77"});
    ASSERT_FALSE(p.outcome.exit_code) << p.err;
    EXPECT_EQ(p.outcome.options.command, Command::import);
    ASSERT_TRUE(p.outcome.options.as_tenant);
    EXPECT_EQ(*p.outcome.options.as_tenant, "77");

    p = parse({"tail", "--tenant", "5", "--cursor-file", "c", "--follow", "--interval", "0.5", "--batch", "10"});
    ASSERT_FALSE(p.outcome.exit_code) << p.err;
    const Options &o = p.outcome.options;
    EXPECT_EQ(o.command, Command::tail);
    ASSERT_TRUE(o.tail_tenant);
    EXPECT_EQ(*o.tail_tenant, "5");
    EXPECT_TRUE(o.follow);
    EXPECT_EQ(o.batch, 10);
    EXPECT_DOUBLE_EQ(o.interval_seconds, 0.5);

    p = parse({"tail"});
    ASSERT_FALSE(p.outcome.exit_code) << p.err;
    EXPECT_FALSE(p.outcome.options.tail_tenant);
}

TEST(Args, DeletionsAndRecoverShareTheFilter) {
    Parsed p = parse({"deletions", "--since", "2026-12-01 10:00+00", "--actor", "cleanup-script", "--json"});
    ASSERT_FALSE(p.outcome.exit_code) << p.err;
    EXPECT_EQ(p.outcome.options.command, Command::deletions);
    EXPECT_EQ(p.outcome.options.filter.since.value_or(""), "2026-12-01 10:00+00");
    EXPECT_EQ(p.outcome.options.filter.actor.value_or(""), "cleanup-script");
    EXPECT_FALSE(p.outcome.options.filter.until);
    EXPECT_FALSE(p.outcome.options.filter.xid);
    EXPECT_TRUE(p.outcome.options.json);

    p = parse({"deletions"});  // no filter: everything deleted
    ASSERT_FALSE(p.outcome.exit_code) << p.err;
    EXPECT_TRUE(p.outcome.options.filter.empty());

    p = parse({"recover", "--xid", "771", "--application-name", "batch", "--jobs", "4", "--dry-run", "--yes",
               "--report", "r.json", "--journal", "j"});
    ASSERT_FALSE(p.outcome.exit_code) << p.err;
    const Options &o = p.outcome.options;
    EXPECT_EQ(o.command, Command::recover);
    EXPECT_EQ(o.filter.xid.value_or(""), "771");
    EXPECT_EQ(o.filter.application_name.value_or(""), "batch");
    EXPECT_EQ(o.jobs, 4);
    EXPECT_TRUE(o.dry_run);
    EXPECT_TRUE(o.yes);
    EXPECT_EQ(o.report_file, "r.json");
    EXPECT_EQ(o.journal_file, "j");
}

TEST(CursorFile, SaveLoadAndReplace) {
    testing::ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string path = dir.file("cursor");
    EXPECT_FALSE(load_cursor(path));
    save_cursor(path, "c1/1:1:/5:5:/3/3");
    EXPECT_EQ(load_cursor(path).value_or(""), "c1/1:1:/5:5:/3/3");
    save_cursor(path, "c1/5:5:/9:9:/8/8");
    EXPECT_EQ(load_cursor(path).value_or(""), "c1/5:5:/9:9:/8/8");
    struct stat st {};
    EXPECT_NE(stat((path + ".tmp").c_str(), &st), 0) << "the temporary file is renamed away";
    testing::write_file(path, "\n");
    EXPECT_THROW(load_cursor(path), Failure);
}

}  // namespace
}  // namespace tg::cli
