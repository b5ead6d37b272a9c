#include "common/sha256.hpp"

#include "common/hex.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace tg::common {
namespace {

// FIPS 180-2 known answers.
TEST(Sha256, EmptyInput) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, Abc) {
    EXPECT_EQ(hex_encode(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, TwoBlockMessage) {
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, HashesEveryByteNotJustText) {
    const std::string with_nul("a\0b", 3);
    EXPECT_NE(sha256_hex(with_nul), sha256_hex("a"));
}

TEST(Sha256Stream, PiecesGiveTheOneShotDigest) {
    const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    Sha256Stream stream;
    for (std::size_t i = 0; i < text.size(); i += 7) stream.update(std::string_view(text).substr(i, 7));
    EXPECT_EQ(stream.finish_hex(), sha256_hex(text));
}

TEST(Sha256Stream, NothingFedIsTheEmptyDigest) {
    Sha256Stream stream;
    stream.update("");
    EXPECT_EQ(stream.finish_hex(), sha256_hex(""));
}

TEST(Sha256Stream, FinishTwiceIsRefused) {
    Sha256Stream stream;
    stream.finish();
    EXPECT_THROW(stream.finish(), CryptoError);
    EXPECT_THROW(stream.update("x"), CryptoError);
}

}  // namespace
}  // namespace tg::common
