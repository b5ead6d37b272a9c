#include "ed25519.hpp"

#include "openssl_support.hpp"

#include <openssl/pem.h>

#include <utility>

namespace tg::common {
namespace detail {

void EvpPkeyFree::operator()(evp_pkey_st *key) const noexcept { EVP_PKEY_free(key); }

PkeyHandle::PkeyHandle(const PkeyHandle &other) : key_(nullptr) { *this = other; }

PkeyHandle &PkeyHandle::operator=(const PkeyHandle &other) {
    if (this == &other) return *this;
    evp_pkey_st *shared = other.key_.get();
    if (shared != nullptr && EVP_PKEY_up_ref(shared) != 1) throw_openssl_error("could not copy an Ed25519 key");
    key_.reset(shared);
    return *this;
}

evp_pkey_st *PkeyHandle::get() const {
    if (!key_) throw CryptoError("use of an empty (moved-from) Ed25519 key");
    return key_.get();
}

}  // namespace detail

namespace {

// PEM text is a few hundred bytes; anything huge is not a key.
constexpr std::size_t max_pem_size = 64 * 1024;

// Refuses anything but Ed25519 so that no other algorithm can ever verify a token.
detail::PkeyHandle require_ed25519(EVP_PKEY *loaded, const char *what) {
    detail::PkeyHandle key(loaded);
    if (EVP_PKEY_get_base_id(loaded) != EVP_PKEY_ED25519) {
        const char *type = EVP_PKEY_get0_type_name(loaded);
        throw CryptoError(std::string(what) + " is a " + (type != nullptr ? type : "non-Ed25519") +
                          " key; tenant_guard accepts only Ed25519 keys (openssl genpkey -algorithm ed25519)");
    }
    return key;
}

void require_pem_size(std::string_view pem) {
    if (pem.size() > max_pem_size)
        throw CryptoError("PEM text is larger than 64 KiB; this is not a single Ed25519 key");
}

// A key text holds exactly one PEM block and nothing around it but white
// space: a second block appended would otherwise be accepted and silently
// ignored (OpenSSL reads the first one only).
void require_single_pem_block(std::string_view pem) {
    const std::size_t begin = pem.find("-----BEGIN ");
    const std::size_t end_marker = pem.find("-----END ");
    if (begin == std::string_view::npos || end_marker == std::string_view::npos) return;  // reported by the reader
    const std::size_t end_line = pem.find('\n', end_marker);
    const std::size_t after = end_line == std::string_view::npos ? pem.size() : end_line + 1;
    auto blank = [](std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; };
    if (pem.find("-----BEGIN ", begin + 1) != std::string_view::npos || !blank(pem.substr(0, begin)) ||
        !blank(pem.substr(after))) {
        throw CryptoError("the key text must hold exactly one PEM block and nothing else");
    }
}

// PEM callback that never supplies a passphrase: no terminal prompt, ever.
int refuse_passphrase(char *, int, int, void *) { return -1; }

Ed25519RawKey raw_public_key(EVP_PKEY *key) {
    Ed25519RawKey raw{};
    std::size_t length = raw.size();
    if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1 || length != raw.size()) {
        detail::throw_openssl_error("could not read the raw Ed25519 public key");
    }
    return raw;
}

}  // namespace

PublicKey PublicKey::from_pem(std::string_view pem) {
    require_pem_size(pem);
    if (pem.find("-----BEGIN PUBLIC KEY-----") == std::string_view::npos) {
        if (pem.find("PRIVATE KEY-----") != std::string_view::npos) {
            throw CryptoError("this is a private key; give only the public key (openssl pkey -in KEY -pubout)");
        }
        throw CryptoError(
            "no PEM public key found; expected \"-----BEGIN PUBLIC KEY-----\" as written by openssl pkey -pubout");
    }
    require_single_pem_block(pem);
    ERR_clear_error();
    detail::BioPtr bio = detail::read_only_bio(pem);
    EVP_PKEY *loaded = PEM_read_bio_PUBKEY(bio.get(), nullptr, refuse_passphrase, nullptr);
    if (loaded == nullptr) detail::throw_openssl_error("could not read the PEM public key");
    return PublicKey(require_ed25519(loaded, "the public key"));
}

PublicKey PublicKey::from_raw(ByteView raw) {
    if (raw.size() != ed25519_key_size) {
        throw CryptoError("an Ed25519 public key is 32 bytes, got " + std::to_string(raw.size()));
    }
    ERR_clear_error();
    EVP_PKEY *loaded = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size());
    if (loaded == nullptr) detail::throw_openssl_error("could not load the raw Ed25519 public key");
    return PublicKey(detail::PkeyHandle(loaded));
}

std::string PublicKey::to_pem() const {
    ERR_clear_error();
    detail::BioPtr bio = detail::writable_bio();
    if (PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1)
        detail::throw_openssl_error("could not write the PEM public key");
    return detail::bio_contents(bio.get());
}

Ed25519RawKey PublicKey::raw() const {
    ERR_clear_error();
    return raw_public_key(key_.get());
}

bool PublicKey::verify(ByteView message, ByteView signature) const {
    if (signature.size() != ed25519_signature_size) return false;
    ERR_clear_error();
    detail::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx) detail::throw_openssl_error("could not allocate a verification context");
    // Ed25519 hashes internally: the digest argument must be NULL.
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
        detail::throw_openssl_error("could not start Ed25519 verification");
    }
    const int result =
        EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), detail::non_null_data(message), message.size());
    // A bad signature leaves entries in the queue; they are expected, not errors.
    detail::drain_error_queue();
    return result == 1;
}

PrivateKey PrivateKey::generate() {
    ERR_clear_error();
    detail::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
    if (!ctx) detail::throw_openssl_error("could not allocate an Ed25519 key generator");
    EVP_PKEY *generated = nullptr;
    if (EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &generated) != 1) {
        EVP_PKEY_free(generated);
        detail::throw_openssl_error("could not generate an Ed25519 key");
    }
    return PrivateKey(detail::PkeyHandle(generated));
}

PrivateKey PrivateKey::from_pem(std::string_view pem) {
    require_pem_size(pem);
    if (pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos) {
        throw CryptoError("the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)");
    }
    if (pem.find("-----BEGIN PRIVATE KEY-----") == std::string_view::npos) {
        throw CryptoError(
            "no PKCS#8 PEM private key found; expected \"-----BEGIN PRIVATE KEY-----\" as written by "
            "openssl genpkey -algorithm ed25519");
    }
    ERR_clear_error();
    detail::BioPtr bio = detail::read_only_bio(pem);
    EVP_PKEY *loaded = PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, nullptr);
    if (loaded == nullptr) detail::throw_openssl_error("could not read the PEM private key");
    return PrivateKey(require_ed25519(loaded, "the private key"));
}

PrivateKey PrivateKey::from_raw(ByteView seed) {
    if (seed.size() != ed25519_key_size) {
        throw CryptoError("an Ed25519 secret key is 32 bytes, got " + std::to_string(seed.size()));
    }
    ERR_clear_error();
    EVP_PKEY *loaded = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
    if (loaded == nullptr) detail::throw_openssl_error("could not load the raw Ed25519 secret key");
    return PrivateKey(detail::PkeyHandle(loaded));
}

std::string PrivateKey::to_pem() const {
    ERR_clear_error();
    detail::BioPtr bio = detail::writable_bio();
    if (PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        detail::throw_openssl_error("could not write the PEM private key");
    }
    return detail::bio_contents(bio.get());
}

PublicKey PrivateKey::public_key() const {
    ERR_clear_error();
    return PublicKey::from_raw(raw_public_key(key_.get()));
}

Ed25519Signature PrivateKey::sign(ByteView message) const {
    ERR_clear_error();
    detail::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx) detail::throw_openssl_error("could not allocate a signing context");
    if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
        detail::throw_openssl_error("could not start Ed25519 signing");
    }
    Ed25519Signature signature{};
    std::size_t length = signature.size();
    if (EVP_DigestSign(ctx.get(), signature.data(), &length, detail::non_null_data(message), message.size()) != 1 ||
        length != signature.size()) {
        detail::throw_openssl_error("Ed25519 signing failed");
    }
    return signature;
}

KeyPairPem generate_key_pair_pem() {
    const PrivateKey key = PrivateKey::generate();
    return KeyPairPem{key.to_pem(), key.public_key().to_pem()};
}

}  // namespace tg::common
