// The ustar writer and reader: round trips, what other tar programs make of
// our archives (and we of theirs), and how damage is described.
#include "cli/file_io.hpp"
#include "cli/archive/tar_header.hpp"
#include "cli/archive/tar_reader.hpp"
#include "cli/archive/tar_writer.hpp"
#include "cli_test_support.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace tg::cli {
namespace {

using testing::read_file;
using testing::run;
using testing::ScratchDir;
using testing::write_file;

// Writes members (name, content) to path; large ones in several pieces.
void write_archive(const std::string &path, const std::vector<std::pair<std::string, std::string>> &members) {
    Fd fd = create_new(path, 0644);
    BufferedWriter out(fd.get(), path, 4096);  // small buffer: patches cross flushes
    tar::Writer tar(out);
    for (const auto &[name, content] : members) {
        tar.begin(name, 1700000000);
        for (std::size_t i = 0; i < content.size(); i += 1000) tar.write(std::string_view(content).substr(i, 1000));
        EXPECT_EQ(tar.end(), content.size());
    }
    tar.finish();
    fd.close(path);
}

std::string member_text(const tar::Reader &reader, const tar::Member &member) {
    std::string text;
    reader.stream(member, [&](tg::common::ByteView chunk) { text.append(chunk.begin(), chunk.end()); });
    return text;
}

TEST(TarHeader, RoundTripsAndChecksums) {
    const tar::Block block = tar::encode_header(tar::Header{"data/01_public.sites.csv", '0', 12345, 1700000000, 0644});
    const tar::DecodeResult decoded = tar::decode_header(block);
    ASSERT_TRUE(decoded.error.empty()) << decoded.error;
    ASSERT_TRUE(decoded.header);
    EXPECT_EQ(decoded.header->name, "data/01_public.sites.csv");
    EXPECT_EQ(decoded.header->size, 12345u);
    EXPECT_EQ(decoded.header->mtime, 1700000000);

    tar::Block damaged = block;
    damaged[3] ^= 0x20;
    EXPECT_NE(tar::decode_header(damaged).error.find("checksum mismatch"), std::string::npos);
}

TEST(TarHeader, SizesBeyondOctalUseBase256) {
    const std::uint64_t huge = 20ULL << 30;  // 20 GiB
    const tar::DecodeResult decoded =
        tar::decode_header(tar::encode_header(tar::Header{"big.csv", '0', huge, 0, 0644}));
    ASSERT_TRUE(decoded.header) << decoded.error;
    EXPECT_EQ(decoded.header->size, huge);
    const tar::DecodeResult edge =
        tar::decode_header(tar::encode_header(tar::Header{"edge.csv", '0', tar::max_octal_size, 0, 0644}));
    ASSERT_TRUE(edge.header) << edge.error;
    EXPECT_EQ(edge.header->size, tar::max_octal_size);
}

TEST(TarHeader, RefusesNamesItCannotStore) {
    EXPECT_THROW(tar::encode_header(tar::Header{"", '0', 0, 0, 0644}), std::invalid_argument);
    EXPECT_THROW(tar::encode_header(tar::Header{std::string(101, 'a'), '0', 0, 0, 0644}), std::invalid_argument);
    EXPECT_NO_THROW(tar::encode_header(tar::Header{std::string(100, 'a'), '0', 0, 0, 0644}));
}

TEST(TarHeader, AllZeroBlockIsTheEnd) {
    const tar::DecodeResult decoded = tar::decode_header(tar::Block{});
    EXPECT_FALSE(decoded.header);
    EXPECT_TRUE(decoded.error.empty());
}

TEST(Tar, WriteThenReadBack) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string big(10000, 'x');
    write_archive(dir.file("a.tar"), {{"empty", ""}, {"one", "1"}, {"block", std::string(512, 'b')}, {"big", big}});
    const tar::Reader reader(dir.file("a.tar"));
    const tar::Index index = reader.index();
    EXPECT_TRUE(index.damage.empty()) << index.damage;
    EXPECT_TRUE(index.has_end_marker);
    ASSERT_EQ(index.members.size(), 4u);
    EXPECT_EQ(index.members[0].name, "empty");
    EXPECT_EQ(member_text(reader, index.members[0]), "");
    EXPECT_EQ(member_text(reader, index.members[1]), "1");
    EXPECT_EQ(member_text(reader, index.members[2]), std::string(512, 'b'));
    EXPECT_EQ(member_text(reader, index.members[3]), big);
    EXPECT_EQ(reader.file_size() % 512, 0u);
}

TEST(Tar, OtherTarProgramsReadOurArchives) {
    if (!run("command -v tar")) GTEST_SKIP() << "no tar on PATH";
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    write_archive(dir.file("a.tar"), {{"data/01_x.csv", "id\n1\n"}, {"manifest.json", "{}\n"}});
    ASSERT_TRUE(
        run("mkdir '" + dir.file("out") + "' && tar -xf '" + dir.file("a.tar") + "' -C '" + dir.file("out") + "'"));
    EXPECT_EQ(read_file(dir.file("out/data/01_x.csv")), "id\n1\n");
    EXPECT_EQ(read_file(dir.file("out/manifest.json")), "{}\n");
}

TEST(Tar, WeReadArchivesOfOtherTarPrograms) {
    if (!run("command -v tar")) GTEST_SKIP() << "no tar on PATH";
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    write_file(dir.file("plain.txt"), "hello\n");
    const std::string long_name(120, 'n');  // needs a pax or GNU long-name record
    write_file(dir.file(long_name), "long\n");
    for (const char *format : {"ustar", "pax", "gnu"}) {
        const std::string archive = dir.file(std::string(format) + ".tar");
        const std::string members = std::string(format) == "ustar" ? "plain.txt" : "plain.txt " + long_name;
        ASSERT_TRUE(run("cd '" + dir.file("") + "' && tar --format=" + format + " -cf '" + archive + "' " + members));
        const tar::Reader reader(archive);
        const tar::Index index = reader.index();
        EXPECT_TRUE(index.damage.empty()) << format << ": " << index.damage;
        ASSERT_GE(index.members.size(), 1u) << format;
        EXPECT_EQ(index.members[0].name, "plain.txt") << format;
        EXPECT_EQ(member_text(reader, index.members[0]), "hello\n") << format;
        if (std::string(format) == "pax") {
            ASSERT_EQ(index.members.size(), 2u);
            EXPECT_EQ(index.members[1].name, long_name);
            EXPECT_EQ(member_text(reader, index.members[1]), "long\n");
        }
    }
}

TEST(Tar, TruncationInsideAMemberNamesIt) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    write_archive(dir.file("a.tar"), {{"first", "1"}, {"second", std::string(3000, 's')}});
    const std::string whole = read_file(dir.file("a.tar"));
    write_file(dir.file("cut.tar"), whole.substr(0, 1024 + 512 + 1000));  // 1000 bytes of "second"
    const tar::Index index = tar::Reader(dir.file("cut.tar")).index();
    EXPECT_NE(index.damage.find("truncated inside member second: 1000 of 3000 bytes"), std::string::npos)
        << index.damage;
    ASSERT_EQ(index.members.size(), 2u);
    EXPECT_TRUE(index.members[1].truncated());
    EXPECT_EQ(index.members[1].available, 1000u);
}

TEST(Tar, TruncationInAHeaderOrBeforeTheEndMarker) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    write_archive(dir.file("a.tar"), {{"first", "1"}, {"second", "2"}});
    const std::string whole = read_file(dir.file("a.tar"));
    write_file(dir.file("header.tar"), whole.substr(0, 1024 + 100));
    EXPECT_NE(tar::Reader(dir.file("header.tar")).index().damage.find("ends inside a header after member first"),
              std::string::npos);
    write_file(dir.file("marker.tar"), whole.substr(0, 2048));
    EXPECT_NE(tar::Reader(dir.file("marker.tar")).index().damage.find("without the end-of-archive marker"),
              std::string::npos);
}

TEST(Tar, DamagedHeaderIsReportedWithItsOffset) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    write_archive(dir.file("a.tar"), {{"first", "1"}, {"second", "2"}});
    std::string bytes = read_file(dir.file("a.tar"));
    bytes[1024 + 2] ^= 1;  // the name of "second"
    write_file(dir.file("bad.tar"), bytes);
    const tar::Index index = tar::Reader(dir.file("bad.tar")).index();
    EXPECT_NE(index.damage.find("damaged header after member first (at byte offset 1024)"), std::string::npos)
        << index.damage;
    EXPECT_EQ(index.members.size(), 1u);
}

// A pax extended header with the given records, then a member "a" holding "1".
std::string pax_archive(const std::string &records) {
    const auto block_text = [](const tar::Block &block) { return std::string(block.begin(), block.end()); };
    std::string bytes = block_text(tar::encode_header(tar::Header{"PaxHeader/a", 'x', records.size(), 0, 0644}));
    bytes += records + std::string(tar::padding(records.size()), '\0');
    bytes += block_text(tar::encode_header(tar::Header{"a", '0', 1, 0, 0644}));
    bytes += "1" + std::string(tar::padding(1), '\0');
    return bytes + std::string(2 * tar::block_size, '\0');
}

// Found by tg_fuzz_archive's harness: a record length that wraps pos + length
// around to 0 sent the pax parser back to the first record, for ever.
TEST(Tar, PaxRecordLengthThatWrapsAroundIsIgnored) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    write_file(dir.file("wrap.tar"), pax_archive("11 a=bcdef\n" + std::to_string(0 - 11ULL) + " x\n"));
    const tar::Index index = tar::Reader(dir.file("wrap.tar")).index();
    EXPECT_EQ(index.damage, "");
    ASSERT_EQ(index.members.size(), 1u);
    EXPECT_EQ(index.members[0].name, "a");
}

// A record shorter than its own length field is malformed and is not applied.
TEST(Tar, PaxRecordShorterThanItsLengthFieldIsIgnored) {
    ScratchDir dir;
    ASSERT_TRUE(dir.ok());
    write_file(dir.file("short.tar"), pax_archive("1 path=zzz\n"));
    const tar::Index index = tar::Reader(dir.file("short.tar")).index();
    ASSERT_EQ(index.members.size(), 1u);
    EXPECT_EQ(index.members[0].name, "a");
}

}  // namespace
}  // namespace tg::cli
