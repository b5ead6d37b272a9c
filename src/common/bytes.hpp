// Byte buffers shared by the encoders and the crypto wrappers.
#pragma once

#include "no_postgres.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tg::common {

using Bytes = std::vector<std::uint8_t>;

// A read-only view of bytes that binds to every buffer type we pass around
// (text, vectors, fixed arrays), so callers never cast by hand.
class ByteView {
   public:
    constexpr ByteView() noexcept = default;
    constexpr ByteView(const std::uint8_t *data, std::size_t size) noexcept : data_(data), size_(size) {}
    ByteView(std::string_view text) noexcept
        : data_(reinterpret_cast<const std::uint8_t *>(text.data())), size_(text.size()) {}
    ByteView(const std::string &text) noexcept : ByteView(std::string_view(text)) {}
    ByteView(const char *text) noexcept : ByteView(std::string_view(text)) {}
    ByteView(const Bytes &bytes) noexcept : data_(bytes.data()), size_(bytes.size()) {}
    template <std::size_t N>
    constexpr ByteView(const std::array<std::uint8_t, N> &bytes) noexcept : data_(bytes.data()), size_(N) {}

    constexpr const std::uint8_t *data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr const std::uint8_t *begin() const noexcept { return data_; }
    constexpr const std::uint8_t *end() const noexcept { return data_ + size_; }
    constexpr std::uint8_t operator[](std::size_t i) const noexcept { return data_[i]; }

   private:
    const std::uint8_t *data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace tg::common
