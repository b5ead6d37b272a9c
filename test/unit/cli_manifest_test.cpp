#include "cli/archive/manifest.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

namespace tg::cli {
namespace {

Manifest sample() {
    Manifest m;
    m.created_by = "tenant-guard test";
    m.database_id = "7300000000000000000/saas";
    m.server_version = "15.20";
    m.extension_version = "0.2.0";
    m.tenant = "42";
    m.snapshot_time = "2026-11-25T10:00:00.000000Z";
    m.snapshot = "100:100:";
    m.settings = {{"TimeZone", "UTC"}};
    TableEntry t;
    t.schema = "public";
    t.name = "sites";
    t.tenant_column = "tenant_id";
    t.delete_mode = "tombstone";
    t.primary_key = {"tenant_id", "id"};
    t.columns = {{"tenant_id", "integer", true}, {"id", "bigint", true}, {"name", "text", false}};
    t.part = Part{"data/01_public.sites.csv", 3, 120, std::string(64, 'a')};
    m.tables.push_back(t);
    m.extras.push_back(ExtraEntry{"history", {"seq", "rel"}, Part{"history.csv", 0, 8, std::string(64, 'b')}});
    return m;
}

TEST(Manifest, RoundTrip) {
    const Manifest m = sample();
    const std::string text = manifest_to_text(m);
    EXPECT_EQ(text.rfind("{\n  \"format\": \"tenant_guard.export\",\n  \"format_version\": 1,", 0), 0u) << text;
    const Manifest back = parse_manifest(text);
    EXPECT_EQ(back.tenant, "42");
    EXPECT_EQ(back.database_id, m.database_id);
    EXPECT_EQ(back.snapshot_time, m.snapshot_time);
    ASSERT_EQ(back.tables.size(), 1u);
    EXPECT_EQ(back.tables[0].display_name(), "public.sites");
    EXPECT_EQ(back.tables[0].primary_key, m.tables[0].primary_key);
    ASSERT_EQ(back.tables[0].columns.size(), 3u);
    EXPECT_EQ(back.tables[0].columns[1].type, "bigint");
    EXPECT_TRUE(back.tables[0].columns[1].not_null);
    EXPECT_EQ(back.tables[0].part.rows, 3u);
    EXPECT_EQ(back.tables[0].part.sha256, std::string(64, 'a'));
    ASSERT_EQ(back.extras.size(), 1u);
    EXPECT_EQ(back.parts().size(), 2u);
    EXPECT_EQ(back.settings.at("TimeZone"), "UTC");
}

// Changes one field of the sample's JSON and expects a refusal naming it.
void expect_refused(const std::function<void(nlohmann::json &)> &change, const std::string &expected_in_message) {
    nlohmann::json j = nlohmann::json::parse(manifest_to_text(sample()));
    change(j);
    try {
        parse_manifest(j.dump());
        ADD_FAILURE() << "accepted; expected an error mentioning " << expected_in_message;
    } catch (const ManifestError &error) {
        EXPECT_NE(std::string(error.what()).find(expected_in_message), std::string::npos) << error.what();
    }
}

TEST(Manifest, RefusalsNameTheField) {
    expect_refused([](auto &j) { j["format"] = "zip"; }, "not a tenant-guard export");
    expect_refused([](auto &j) { j["format_version"] = 2; }, "format_version: is 2");
    expect_refused([](auto &j) { j.erase("tenant"); }, "tenant: missing");
    expect_refused([](auto &j) { j["tables"][0]["part"]["sha256"] = "XYZ"; }, "tables[0].part.sha256");
    expect_refused([](auto &j) { j["tables"][0]["part"]["rows"] = -1; }, "tables[0].part.rows");
    expect_refused([](auto &j) { j["tables"][0]["columns"][0]["not_null"] = "yes"; }, "tables[0].columns[0].not_null");
    expect_refused([](auto &j) { j["tables"][0]["tenant_column"] = "owner"; }, "do not include the tenant column");
    expect_refused([](auto &j) { j["extras"][0]["part"]["path"] = "data/01_public.sites.csv"; }, "listed twice");
    expect_refused([](auto &j) { j["tables"][0]["part"]["path"] = "manifest.json"; }, "a part is named");
}

TEST(Manifest, RefusesInvalidJsonAndDuplicateKeys) {
    EXPECT_THROW(parse_manifest("{"), ManifestError);
    EXPECT_THROW(parse_manifest(R"({"format": "tenant_guard.export", "format": "x"})"), ManifestError);
    EXPECT_THROW(parse_manifest("[]"), ManifestError);
}

TEST(Checksums, Sha256sumFormat) {
    const std::string text = checksums_text({{"a.csv", std::string(64, '1')}, {"manifest.json", std::string(64, '2')}});
    EXPECT_EQ(text, std::string(64, '1') + "  a.csv\n" + std::string(64, '2') + "  manifest.json\n");
    const auto sums = parse_checksums(text);
    EXPECT_EQ(sums.at("manifest.json"), std::string(64, '2'));
    EXPECT_THROW(parse_checksums(std::string(64, '1') + "  a.csv"), ManifestError);  // cut short
    EXPECT_THROW(parse_checksums("abc  a.csv\n"), ManifestError);
}

TEST(PartNames, PlainShortAndNumbered) {
    EXPECT_EQ(part_name_for(1, "public", "sites"), "data/01_public.sites.csv");
    EXPECT_EQ(part_name_for(12, "My Schema", "a/b\"c"), "data/12_My_Schema.a_b_c.csv");
    const std::string longest = part_name_for(3, std::string(63, 's'), std::string(63, 't'));
    EXPECT_LE(longest.size(), 100u);
    EXPECT_EQ(longest.substr(longest.size() - 4), ".csv");
}

}  // namespace
}  // namespace tg::cli
