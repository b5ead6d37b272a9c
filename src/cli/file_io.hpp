// POSIX file handling with errors that name the file: an owned descriptor, a
// buffered writer that can patch bytes it already wrote (tar headers whose
// size is known only at the end of a part), and durable replacement of small
// files (write a temporary, fsync, rename, fsync the directory).
#pragma once

#include "common/bytes.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tg::cli {

// Throws Failure("<what> <path>: <strerror(errno)>").
[[noreturn]] void throw_errno(const std::string &what, const std::string &path);

class Fd {
   public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd();
    Fd(Fd &&other) noexcept : fd_(other.release()) {}
    Fd &operator=(Fd &&other) noexcept;
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;

    int get() const { return fd_; }
    int release() noexcept;
    // close(2) with its error reported: a failed close can mean lost data.
    void close(const std::string &path);

   private:
    int fd_ = -1;
};

Fd open_for_reading(const std::string &path);
// O_CREAT|O_EXCL: never overwrites what is there.
Fd create_new(const std::string &path, int mode);

void write_all(int fd, tg::common::ByteView data, const std::string &path);
void sync_file(int fd, const std::string &path);
// fsync of the directory holding `path`, so a rename into it is durable.
void sync_parent_directory(const std::string &path);

// Whole small file (keys, manifests); refuses files over max_bytes.
std::string read_small_file(const std::string &path, std::size_t max_bytes);
// The same from an open descriptor, from where it stands; path names it in errors.
std::string read_small_file(int fd, const std::string &path, std::size_t max_bytes);

// Writes `text` to path durably and atomically: readers see the old or the new
// content, never a mix, also after a crash.
void replace_file_atomically(const std::string &path, std::string_view text, int mode);

bool path_exists(const std::string &path);

// Buffered sequential writer over a descriptor it does not own, with the
// position it has reached and in-place patching of earlier bytes.
class BufferedWriter {
   public:
    BufferedWriter(int fd, std::string path, std::size_t buffer_size = 1 << 20);
    void write(tg::common::ByteView data);
    void flush();
    // Overwrites bytes at an absolute offset already written (flushes first).
    void patch(std::uint64_t offset, tg::common::ByteView data);
    std::uint64_t position() const { return position_; }
    const std::string &path() const { return path_; }

   private:
    int fd_;
    std::string path_;
    std::vector<std::uint8_t> buffer_;
    std::size_t used_ = 0;
    std::uint64_t position_ = 0;
};

}  // namespace tg::cli
