// export --verify without a database: an archive built as export builds it,
// then damaged in the ways disks and transfers damage files.
#include "cli/archive/export_archive.hpp"
#include "cli/file_io.hpp"
#include "cli/archive/tar_writer.hpp"
#include "cli_test_support.hpp"
#include "common/sha256.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tg::cli {
namespace {

using testing::read_file;
using testing::ScratchDir;
using testing::write_file;

const std::string sites_csv = "tenant_id,id,name\n42,1,\"Acme, Inc.\"\n42,2,\"two\nlines\"\n";
const std::string projects_csv = "tenant_id,id,site_id\n42,10,1\n";

Part part_for(const std::string &path, const std::string &csv, std::uint64_t rows) {
    return Part{path, rows, csv.size(), tg::common::sha256_hex(csv)};
}

TableEntry table(const std::string &name, const std::vector<std::string> &columns, Part part) {
    TableEntry t{"public", name, "tenant_id", "tombstone", {"tenant_id", "id"}, {}, std::move(part)};
    for (const auto &c : columns) t.columns.push_back(Column{c, "text", false});
    return t;
}

// Writes what export writes: parts, manifest.json, SHA256SUMS.
void build(const std::string &path, bool with_sums = true) {
    Manifest m;
    m.database_id = "1/db";
    m.tenant = "42";
    m.snapshot_time = "2026-11-25T10:00:00Z";
    m.tables.push_back(table("sites", {"tenant_id", "id", "name"}, part_for("data/01_public.sites.csv", sites_csv, 2)));
    m.tables.push_back(
        table("projects", {"tenant_id", "id", "site_id"}, part_for("data/02_public.projects.csv", projects_csv, 1)));
    const std::string manifest = manifest_to_text(m);
    Fd fd = create_new(path, 0644);
    BufferedWriter out(fd.get(), path);
    tar::Writer tar(out);
    tar.add("data/01_public.sites.csv", sites_csv, 0);
    tar.add("data/02_public.projects.csv", projects_csv, 0);
    tar.add("manifest.json", manifest, 0);
    if (with_sums) {
        tar.add("SHA256SUMS",
                checksums_text({{"data/01_public.sites.csv", tg::common::sha256_hex(sites_csv)},
                                {"data/02_public.projects.csv", tg::common::sha256_hex(projects_csv)},
                                {"manifest.json", tg::common::sha256_hex(manifest)}}),
                0);
    }
    tar.finish();
    fd.close(path);
}

std::string all_problems(const VerifyResult &result) {
    std::string text;
    for (const auto &p : result.problems) text += p + "\n";
    return text;
}

TEST(VerifyArchive, IntactArchivePasses) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    build(dir.file("a.tar"));
    const VerifyResult result = verify_archive(dir.file("a.tar"), nullptr);
    EXPECT_TRUE(result.problems.empty()) << all_problems(result);
    EXPECT_EQ(result.checked.size(), 2u);
    EXPECT_EQ(result.rows, 3u);
}

TEST(VerifyArchive, FlippedDataByteNamesPartAndBothDigests) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    build(dir.file("a.tar"));
    std::string bytes = read_file(dir.file("a.tar"));
    bytes[bytes.find("Acme")] = 'a';
    write_file(dir.file("a.tar"), bytes);
    const VerifyResult result = verify_archive(dir.file("a.tar"), nullptr);
    ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
    const std::string &p = result.problems[0];
    EXPECT_NE(p.find("data/01_public.sites.csv (table public.sites): SHA-256 mismatch: expected " +
                     tg::common::sha256_hex(sites_csv) + ", actual "),
              std::string::npos)
        << p;
    EXPECT_EQ(result.checked.size(), 1u);  // the other part is still fine
}

TEST(VerifyArchive, TruncatedArchiveSaysWhereItEnds) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    build(dir.file("a.tar"));
    const std::string bytes = read_file(dir.file("a.tar"));
    write_file(dir.file("cut.tar"), bytes.substr(0, 512 + 512 + 512 + 10));
    const VerifyResult result = verify_archive(dir.file("cut.tar"), nullptr);
    EXPECT_FALSE(result.manifest);
    EXPECT_NE(all_problems(result).find("manifest.json is missing because the archive is truncated inside member "
                                        "data/02_public.projects.csv: 10 of " +
                                        std::to_string(projects_csv.size()) + " bytes present"),
              std::string::npos)
        << all_problems(result);
}

TEST(VerifyArchive, DamagedManifestIsCaughtBySha256Sums) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    build(dir.file("a.tar"));
    std::string bytes = read_file(dir.file("a.tar"));
    bytes[bytes.find("\"tenant\": \"42\"") + 11] = '3';
    write_file(dir.file("a.tar"), bytes);
    const VerifyResult result = verify_archive(dir.file("a.tar"), nullptr);
    EXPECT_NE(all_problems(result).find("manifest.json: SHA-256 mismatch: expected"), std::string::npos)
        << all_problems(result);
}

TEST(VerifyArchive, MissingSha256SumsIsAProblem) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    build(dir.file("a.tar"), false);
    const VerifyResult result = verify_archive(dir.file("a.tar"), nullptr);
    EXPECT_NE(all_problems(result).find("SHA256SUMS is missing"), std::string::npos) << all_problems(result);
    EXPECT_EQ(result.checked.size(), 2u);
}

TEST(VerifyArchive, NotATarFile) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    write_file(dir.file("x.tar"), std::string(2000, 'x'));
    const VerifyResult result = verify_archive(dir.file("x.tar"), nullptr);
    EXPECT_NE(all_problems(result).find("is not a tar archive"), std::string::npos) << all_problems(result);
}

TEST(ComparePart, RowCountAndCompleteness) {
    const Part expected = part_for("p", sites_csv, 2);
    StreamedPart actual{tg::common::sha256_hex(sites_csv), sites_csv.size(), 3, true};
    EXPECT_EQ(compare_part(expected, actual), "");
    Part wrong_rows = expected;
    wrong_rows.rows = 5;
    EXPECT_EQ(compare_part(wrong_rows, actual), "row count mismatch: expected 5, actual 2");
    Part wrong_size = expected;
    wrong_size.bytes = 1;
    EXPECT_NE(compare_part(wrong_size, actual).find("size mismatch: expected 1 bytes"), std::string::npos);
}

}  // namespace
}  // namespace tg::cli
