// The filter that names an operation's deletions, shared by `deletions` and
// `recover`: the five optional arguments of tenant_guard.deletions() and
// undelete_where(). Times and transaction ids are kept as the server
// normalised them (UTC, "2026-12-01T10:00:00.000000Z"), so the same filter
// always reads the same and names the same journal.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tg::cli {

struct DeletionFilter {
    std::optional<std::string> since;
    std::optional<std::string> until;
    std::optional<std::string> actor;
    std::optional<std::string> application_name;
    std::optional<std::string> xid;

    bool empty() const;
    bool operator==(const DeletionFilter &other) const;
    bool operator!=(const DeletionFilter &other) const { return !(*this == other); }
};

// The five values in the order of the SQL functions' first five arguments
// (since, until, actor, application_name, xid); absent ones are NULL.
std::vector<std::optional<std::string>> filter_values(const DeletionFilter &filter);

// "--since 2026-12-01T10:00:00.000000Z --actor cleanup-script": the filter as
// command-line options, for messages and the re-run hint (values quoted for
// a POSIX shell where they need it).
std::string filter_as_options(const DeletionFilter &filter);

// {"since": …, "until": …, "actor": …, "application_name": …, "xid": …},
// absent members null; from_json refuses anything else (Failure).
nlohmann::ordered_json filter_to_json(const DeletionFilter &filter);
DeletionFilter filter_from_json(const nlohmann::ordered_json &value);

// A value quoted for a POSIX shell when it holds anything but [A-Za-z0-9_.,:/@+=-].
std::string shell_quoted(const std::string &value);

}  // namespace tg::cli
