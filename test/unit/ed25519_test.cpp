#include "common/ed25519.hpp"

#include "common/hex.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <ostream>
#include <string>

namespace tg::common {
namespace {

using testing::from_hex;

struct Rfc8032Vector {
    const char *name;
    const char *secret_key;
    const char *public_key;
    const char *message;
    const char *signature;
};

// RFC 8032 section 7.1, TEST 1, TEST 2 and TEST 3.
const Rfc8032Vector rfc8032_vectors[] = {
    {"Test1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe246"
     "55141438e7a100b"},
    {"Test2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb"
     "00d291612bb0c00"},
    {"Test3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc"
     "027beceea1ec40a"},
};

// Names the vector in test names instead of dumping its bytes.
void PrintTo(const Rfc8032Vector &vector, std::ostream *out) { *out << vector.name; }

class Rfc8032 : public ::testing::TestWithParam<Rfc8032Vector> {};

TEST_P(Rfc8032, SecretKeyGivesThePublicKey) {
    const PrivateKey key = PrivateKey::from_raw(from_hex(GetParam().secret_key));
    EXPECT_EQ(hex_encode(key.public_key().raw()), GetParam().public_key);
}

TEST_P(Rfc8032, SignReproducesTheSignature) {
    const PrivateKey key = PrivateKey::from_raw(from_hex(GetParam().secret_key));
    EXPECT_EQ(hex_encode(key.sign(from_hex(GetParam().message))), GetParam().signature);
}

TEST_P(Rfc8032, VerifyAcceptsTheSignature) {
    const PublicKey key = PublicKey::from_raw(from_hex(GetParam().public_key));
    EXPECT_TRUE(key.verify(from_hex(GetParam().message), from_hex(GetParam().signature)));
}

TEST_P(Rfc8032, VerifyRejectsAOneBitFlipInTheMessage) {
    const PublicKey key = PublicKey::from_raw(from_hex(GetParam().public_key));
    Bytes message = from_hex(GetParam().message);
    // TEST 1 signs the empty message: flipping needs a byte, so append one.
    if (message.empty()) {
        message.push_back(0x01);
    } else {
        message.back() ^= 0x01;
    }
    EXPECT_FALSE(key.verify(message, from_hex(GetParam().signature)));
}

TEST_P(Rfc8032, VerifyRejectsAOneBitFlipAnywhereInTheSignature) {
    const PublicKey key = PublicKey::from_raw(from_hex(GetParam().public_key));
    const Bytes message = from_hex(GetParam().message);
    const Bytes signature = from_hex(GetParam().signature);
    for (std::size_t bit = 0; bit < signature.size() * 8; bit += 7) {
        Bytes flipped = signature;
        flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        EXPECT_FALSE(key.verify(message, flipped)) << "bit " << bit;
    }
}

INSTANTIATE_TEST_SUITE_P(Section7_1, Rfc8032, ::testing::ValuesIn(rfc8032_vectors),
                         [](const auto &info) { return std::string(info.param.name); });

TEST(Ed25519, VerifyRejectsSignaturesOfTheWrongLength) {
    const PrivateKey key = PrivateKey::generate();
    const Ed25519Signature signature = key.sign("hello");
    const Bytes full(signature.begin(), signature.end());
    EXPECT_TRUE(key.public_key().verify("hello", full));
    EXPECT_FALSE(key.public_key().verify("hello", Bytes(full.begin(), full.end() - 1)));
    Bytes longer = full;
    longer.push_back(0);
    EXPECT_FALSE(key.public_key().verify("hello", longer));
    EXPECT_FALSE(key.public_key().verify("hello", Bytes{}));
}

TEST(Ed25519, FailedVerificationLeavesNoOpenSslErrorBehind) {
    const PrivateKey key = PrivateKey::generate();
    Ed25519Signature signature = key.sign("hello");
    signature[0] ^= 0x80;
    EXPECT_FALSE(key.public_key().verify("hello", signature));
    EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST(Ed25519, VerifyRejectsAnotherKeysSignature) {
    const PrivateKey signer = PrivateKey::generate();
    const PrivateKey other = PrivateKey::generate();
    EXPECT_FALSE(other.public_key().verify("hello", signer.sign("hello")));
}

TEST(Ed25519, GeneratedPemKeysReloadSignAndVerify) {
    const KeyPairPem pair = generate_key_pair_pem();
    EXPECT_EQ(pair.private_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0U);
    EXPECT_EQ(pair.public_pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0U);

    const PrivateKey private_key = PrivateKey::from_pem(pair.private_pem);
    const PublicKey public_key = PublicKey::from_pem(pair.public_pem);
    EXPECT_EQ(public_key.raw(), private_key.public_key().raw());
    EXPECT_TRUE(public_key.verify("message", private_key.sign("message")));
    // Writing again gives the same text: the PEM carries nothing random.
    EXPECT_EQ(private_key.to_pem(), pair.private_pem);
    EXPECT_EQ(public_key.to_pem(), pair.public_pem);
}

TEST(Ed25519, KeysGeneratedTwiceDiffer) {
    EXPECT_NE(PrivateKey::generate().public_key().raw(), PrivateKey::generate().public_key().raw());
}

TEST(Ed25519, CopiedKeysOutliveTheOriginal) {
    std::unique_ptr<PrivateKey> original = std::make_unique<PrivateKey>(PrivateKey::generate());
    const PrivateKey copy = *original;
    const PublicKey public_key = original->public_key();
    original.reset();
    EXPECT_TRUE(public_key.verify("still here", copy.sign("still here")));
}

TEST(Ed25519, MovedFromKeyThrowsInsteadOfCrashing) {
    PrivateKey key = PrivateKey::generate();
    const PrivateKey moved = std::move(key);
    EXPECT_THROW(key.sign("x"), CryptoError);  // NOLINT(bugprone-use-after-move): that is the point
    EXPECT_NO_THROW(moved.sign("x"));
}

TEST(Ed25519, RawKeysMustBe32Bytes) {
    EXPECT_THROW(PublicKey::from_raw(Bytes(31, 1)), CryptoError);
    EXPECT_THROW(PublicKey::from_raw(Bytes(33, 1)), CryptoError);
    EXPECT_THROW(PrivateKey::from_raw(Bytes(31, 1)), CryptoError);
    EXPECT_THROW(PrivateKey::from_raw(Bytes{}), CryptoError);
}

TEST(Ed25519, PublicKeyPemRefusesAPrivateKeyAndSaysSo) {
    const KeyPairPem pair = generate_key_pair_pem();
    try {
        PublicKey::from_pem(pair.private_pem);
        FAIL() << "a private key was accepted as a public key";
    } catch (const CryptoError &error) {
        EXPECT_NE(std::string(error.what()).find("private key"), std::string::npos) << error.what();
    }
}

TEST(Ed25519, PrivateKeyPemRefusesAPublicKey) {
    EXPECT_THROW(PrivateKey::from_pem(generate_key_pair_pem().public_pem), CryptoError);
}

TEST(Ed25519, PemRefusesGarbage) {
    EXPECT_THROW(PublicKey::from_pem(""), CryptoError);
    EXPECT_THROW(PublicKey::from_pem("not a key"), CryptoError);
    EXPECT_THROW(PrivateKey::from_pem("not a key"), CryptoError);
}

TEST(Ed25519, DamagedPemReportsOpenSslsReason) {
    const std::string damaged = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA!!!!\n-----END PUBLIC KEY-----\n";
    try {
        PublicKey::from_pem(damaged);
        FAIL() << "damaged PEM accepted";
    } catch (const CryptoError &error) {
        const std::string message = error.what();
        EXPECT_EQ(message.rfind("could not read the PEM public key: ", 0), 0U) << message;
        EXPECT_NE(message.find("error:"), std::string::npos) << message;
    }
    EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST(Ed25519, PublicKeyPemRefusesASecondBlockOrTextAround) {
    const std::string one = generate_key_pair_pem().public_pem;
    const std::string other = generate_key_pair_pem().public_pem;
    EXPECT_NO_THROW(PublicKey::from_pem("\n" + one + "\n\n"));
    EXPECT_THROW(PublicKey::from_pem(one + other), CryptoError);
    EXPECT_THROW(PublicKey::from_pem(one + generate_key_pair_pem().private_pem), CryptoError);
    EXPECT_THROW(PublicKey::from_pem("key: " + one), CryptoError);
    EXPECT_THROW(PublicKey::from_pem(one + "trailing words\n"), CryptoError);
}

TEST(Ed25519, PemRefusesTooLargeInput) {
    std::string huge = generate_key_pair_pem().public_pem;
    huge.append(70 * 1024, '\n');
    EXPECT_THROW(PublicKey::from_pem(huge), CryptoError);
}

// Keys of other types, written by OpenSSL itself.
std::string pem_of_generated(const char *algorithm, bool private_half) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_PKEY_Q_keygen(nullptr, nullptr, algorithm),
                                                            &EVP_PKEY_free);
    EXPECT_NE(key, nullptr);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    const int written = private_half
                            ? PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
                            : PEM_write_bio_PUBKEY(bio.get(), key.get());
    EXPECT_EQ(written, 1);
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

TEST(Ed25519, RefusesPublicKeysOfOtherAlgorithms) {
    for (const char *algorithm : {"X25519", "ED448"}) {
        try {
            PublicKey::from_pem(pem_of_generated(algorithm, false));
            ADD_FAILURE() << algorithm << " public key accepted";
        } catch (const CryptoError &error) {
            EXPECT_NE(std::string(error.what()).find("only Ed25519"), std::string::npos) << error.what();
        }
    }
}

TEST(Ed25519, RefusesPrivateKeysOfOtherAlgorithms) {
    EXPECT_THROW(PrivateKey::from_pem(pem_of_generated("X25519", true)), CryptoError);
}

TEST(Ed25519, RefusesAnEncryptedPrivateKeyWithoutPrompting) {
    const PrivateKey key = PrivateKey::generate();
    const std::string plain = key.to_pem();
    std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf(plain.data(), static_cast<int>(plain.size())),
                                                 &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> loaded(
        PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    ASSERT_NE(loaded, nullptr);
    std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
    char passphrase[] = "passphrase";
    ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out.get(), loaded.get(), EVP_aes_256_cbc(), passphrase,
                                            sizeof passphrase - 1, nullptr, nullptr),
              1);
    char *data = nullptr;
    const long length = BIO_get_mem_data(out.get(), &data);
    const std::string encrypted(data, static_cast<std::size_t>(length));
    ASSERT_NE(encrypted.find("ENCRYPTED PRIVATE KEY"), std::string::npos);

    EXPECT_THROW(PrivateKey::from_pem(encrypted), CryptoError);
    // Even disguised with a plain header, the passphrase callback refuses.
    std::string disguised = encrypted;
    for (const char *marker : {"-----BEGIN ", "-----END "}) {
        const std::size_t at = disguised.find(std::string(marker) + "ENCRYPTED ");
        ASSERT_NE(at, std::string::npos);
        disguised.erase(at + std::string(marker).size(), std::string("ENCRYPTED ").size());
    }
    EXPECT_THROW(PrivateKey::from_pem(disguised), CryptoError);
}

}  // namespace
}  // namespace tg::common
