// Interoperability with the openssl command line: a token signed by another
// Ed25519 implementation is accepted, and our PEM files are what openssl reads
// and writes. Skipped where no openssl binary is installed.
#include "common/base64url.hpp"
#include "common/ed25519.hpp"
#include "common/token.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <unistd.h>

namespace tg::common {
namespace {

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string &path, const std::string &contents) {
    std::ofstream out(path, std::ios::binary);
    out << contents;
}

// Runs a shell command, its output discarded; true on exit status 0.
bool run(const std::string &command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

class OpenSslCli : public ::testing::Test {
   protected:
    void SetUp() override {
        if (!run("command -v openssl")) GTEST_SKIP() << "no openssl binary on PATH";
        char pattern[] = "/tmp/tg_openssl_cli_XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
    }
    void TearDown() override {
        if (!dir_.empty()) run("rm -rf '" + dir_ + "'");
    }
    std::string path(const char *name) const { return dir_ + "/" + name; }

    std::string dir_;
};

const char *claims = R"({"act":"purge","db":"7301234567890123456/app","exp":1795604400,"jti":"cli-1","kid":"ops",)"
                     R"("max_rows":10,"reason":"interop test","tenant":"acme"})";

TEST_F(OpenSslCli, TokenSignedByOpensslPkeyutlVerifies) {
    ASSERT_TRUE(run("openssl genpkey -algorithm ed25519 -out " + path("key.pem")));
    ASSERT_TRUE(run("openssl pkey -in " + path("key.pem") + " -pubout -out " + path("key.pub")));

    const std::string signed_part = "tg1." + base64url_encode(claims);
    write_file(path("signed"), signed_part);
    ASSERT_TRUE(run("openssl pkeyutl -sign -rawin -inkey " + path("key.pem") + " -in " + path("signed") + " -out " +
                    path("sig")));
    const std::string signature = read_file(path("sig"));
    ASSERT_EQ(signature.size(), ed25519_signature_size);

    const ParsedToken parsed = parse_token(signed_part + "." + base64url_encode(signature));
    const PublicKey public_key = PublicKey::from_pem(read_file(path("key.pub")));
    EXPECT_TRUE(verify_signature(parsed, public_key));

    // Deterministic Ed25519: our signature with openssl's key file is byte-identical.
    const PrivateKey private_key = PrivateKey::from_pem(read_file(path("key.pem")));
    const Ed25519Signature ours = private_key.sign(signed_part);
    EXPECT_EQ(std::string(ours.begin(), ours.end()), signature);
}

TEST_F(OpenSslCli, OpensslVerifiesOurTokensWithOurPem) {
    const KeyPairPem pair = generate_key_pair_pem();
    write_file(path("ours.pub"), pair.public_pem);
    write_file(path("ours.key"), pair.private_pem);

    const std::string token = make_token(nlohmann::json::parse(claims), PrivateKey::from_pem(pair.private_pem));
    const std::size_t second_dot = token.rfind('.');
    write_file(path("signed"), token.substr(0, second_dot));
    const Bytes signature = base64url_decode(token.substr(second_dot + 1)).value();
    write_file(path("sig"), std::string(signature.begin(), signature.end()));

    EXPECT_TRUE(run("openssl pkeyutl -verify -rawin -pubin -inkey " + path("ours.pub") + " -in " + path("signed") +
                    " -sigfile " + path("sig")));
    // openssl derives the same public key from our private key file.
    ASSERT_TRUE(run("openssl pkey -in " + path("ours.key") + " -pubout -out " + path("derived.pub")));
    EXPECT_EQ(read_file(path("derived.pub")), pair.public_pem);

    // And refuses a flipped bit, as we do.
    std::string altered = token.substr(0, second_dot);
    altered[5] = altered[5] == 'A' ? 'B' : 'A';
    write_file(path("signed"), altered);
    EXPECT_FALSE(run("openssl pkeyutl -verify -rawin -pubin -inkey " + path("ours.pub") + " -in " + path("signed") +
                     " -sigfile " + path("sig")));
}

}  // namespace
}  // namespace tg::common
