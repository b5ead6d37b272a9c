#include "openssl_support.hpp"

#include "crypto_error.hpp"

#include <climits>

namespace tg::common::detail {

std::string drain_error_queue() {
    std::string joined;
    const char *data = nullptr;
    int flags = 0;
    unsigned long code = 0;
    while ((code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        if (!joined.empty()) joined += "; ";
        joined += text;
        // Some errors carry detail (e.g. the decoder that refused the input).
        if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
            joined += " (";
            joined += data;
            joined += ')';
        }
    }
    return joined;
}

void throw_openssl_error(std::string_view what) {
    std::string message(what);
    const std::string queue = drain_error_queue();
    if (!queue.empty()) message += ": " + queue;
    throw CryptoError(message);
}

const unsigned char *non_null_data(ByteView bytes) noexcept {
    static const unsigned char empty_byte = 0;
    return bytes.empty() ? &empty_byte : bytes.data();
}

BioPtr read_only_bio(std::string_view text) {
    if (text.size() > static_cast<std::size_t>(INT_MAX)) throw CryptoError("input too large for OpenSSL");
    BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio) throw_openssl_error("could not allocate an OpenSSL memory buffer");
    return bio;
}

BioPtr writable_bio() {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) throw_openssl_error("could not allocate an OpenSSL memory buffer");
    return bio;
}

std::string bio_contents(BIO *bio) {
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    if (length < 0 || (length > 0 && data == nullptr)) throw CryptoError("could not read an OpenSSL memory buffer");
    return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace tg::common::detail
