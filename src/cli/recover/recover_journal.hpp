// The journal of a recovery: what makes `recover` resumable. JSON lines: the
// first is the header (format, database_id, the filter as given, the frozen
// window the plan used, when, and the planned tenants with their rows); each
// further line is one tenant restored (its tables' counts and checksums),
// appended and fsynced right after that tenant's transaction committed. The
// file is locked (flock) while a run uses it, so two runs cannot share it.
//
// A run killed while appending leaves at most a torn last line: it is ignored
// (the tenant's tombstones are gone, so the next plan shows it as restored
// without an entry). Any other damage is refused.
#pragma once

#include "cli/deletions/operation_filter.hpp"
#include "cli/file_io.hpp"
#include "cli/recover/recover_outcome.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tg::cli {

inline constexpr const char *journal_format = "tenant_guard.recover_journal";
inline constexpr int journal_version = 1;

struct PlannedTenant {
    std::string tenant;
    std::uint64_t rows = 0;
    std::vector<std::string> tables;
};

struct JournalHeader {
    std::string database_id;
    DeletionFilter filter;  // the arguments, normalised
    DeletionFilter window;  // the filter the plan froze (until set)
    std::string created_at;
    std::vector<PlannedTenant> tenants;
};

// "tenant-guard-recover-<16 hex>.journal": <hex> from SHA-256 of the
// database id and the normalised filter, so the same command against the
// same database finds its journal and any other finds none.
std::string default_journal_name(const std::string &database_id, const DeletionFilter &filter);

class Journal {
   public:
    // nullopt when `path` does not exist; else the header and the tenants
    // recorded as restored. Throws Failure when it is locked by another run,
    // is not a journal, or is damaged before its last line.
    static std::optional<Journal> open_existing(const std::string &path);
    // Writes the header durably (temporary file, fsync, link into place,
    // fsync of the directory); refuses a path that exists.
    static Journal create(const std::string &path, const JournalHeader &header);

    Journal(Journal &&) noexcept = default;
    Journal &operator=(Journal &&) noexcept = default;

    const std::string &path() const { return path_; }
    const JournalHeader &header() const { return header_; }
    // Tenants restored by earlier runs, in the order they were recorded.
    const std::vector<TenantOutcome> &earlier() const { return earlier_; }
    // "ignored a torn last line …": things the reader noticed but accepted.
    const std::vector<std::string> &notes() const { return notes_; }

    // Appends one restored tenant and fsyncs; safe to call from several threads.
    void record(const TenantOutcome &tenant);

   private:
    Journal(std::string path, Fd fd)
        : path_(std::move(path)), fd_(std::move(fd)), lock_(std::make_unique<std::mutex>()) {}

    std::string path_;
    Fd fd_;  // O_APPEND, flock()ed
    std::unique_ptr<std::mutex> lock_;
    JournalHeader header_;
    std::vector<TenantOutcome> earlier_;
    std::vector<std::string> notes_;
};

// The lines themselves, for tests and the reader.
std::string header_line(const JournalHeader &header);
std::string tenant_line(const TenantOutcome &tenant);

}  // namespace tg::cli
