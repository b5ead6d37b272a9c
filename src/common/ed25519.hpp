// Ed25519 keys, signing and verification through OpenSSL 3. One algorithm, no
// negotiation: every loader refuses keys of any other type.
#pragma once

#include "bytes.hpp"
#include "crypto_error.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY; its headers stay out of this one.

namespace tg::common {

inline constexpr std::size_t ed25519_key_size = 32;
inline constexpr std::size_t ed25519_signature_size = 64;

using Ed25519RawKey = std::array<std::uint8_t, ed25519_key_size>;
using Ed25519Signature = std::array<std::uint8_t, ed25519_signature_size>;

namespace detail {

struct EvpPkeyFree {
    void operator()(evp_pkey_st *key) const noexcept;
};

// Owns one reference to an EVP_PKEY; a copy takes another reference, so keys
// are cheap to copy and immutable once loaded.
class PkeyHandle {
   public:
    explicit PkeyHandle(evp_pkey_st *owned) noexcept : key_(owned) {}
    PkeyHandle(const PkeyHandle &other);
    PkeyHandle &operator=(const PkeyHandle &other);
    PkeyHandle(PkeyHandle &&) noexcept = default;
    PkeyHandle &operator=(PkeyHandle &&) noexcept = default;
    ~PkeyHandle() = default;

    // Throws CryptoError on a moved-from handle instead of handing OpenSSL a NULL.
    evp_pkey_st *get() const;

   private:
    std::unique_ptr<evp_pkey_st, EvpPkeyFree> key_;
};

}  // namespace detail

class PublicKey {
   public:
    // PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"), as written by
    // `openssl pkey -pubout`. Throws CryptoError if absent, damaged or not Ed25519.
    static PublicKey from_pem(std::string_view pem);
    // The 32-byte public key of RFC 8032.
    static PublicKey from_raw(ByteView raw);

    std::string to_pem() const;
    Ed25519RawKey raw() const;

    // True only for a valid 64-byte signature of exactly these bytes.
    bool verify(ByteView message, ByteView signature) const;

   private:
    explicit PublicKey(detail::PkeyHandle key) : key_(std::move(key)) {}
    detail::PkeyHandle key_;
};

class PrivateKey {
   public:
    static PrivateKey generate();
    // Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), as written by
    // `openssl genpkey -algorithm ed25519`. Encrypted keys are refused (OpenSSL
    // would otherwise prompt for a passphrase on the terminal).
    static PrivateKey from_pem(std::string_view pem);
    // The 32-byte secret key (seed) of RFC 8032.
    static PrivateKey from_raw(ByteView seed);

    // PKCS#8 PEM; the caller decides where this secret may go.
    std::string to_pem() const;
    PublicKey public_key() const;

    // Ed25519 is deterministic: the same key and message give the same signature.
    Ed25519Signature sign(ByteView message) const;

   private:
    explicit PrivateKey(detail::PkeyHandle key) : key_(std::move(key)) {}
    detail::PkeyHandle key_;
};

struct KeyPairPem {
    std::string private_pem;  // PKCS#8
    std::string public_pem;   // SubjectPublicKeyInfo
};

// A new random key pair, both halves as PEM (what `tenant-guard keygen` writes).
KeyPairPem generate_key_pair_pem();

}  // namespace tg::common
