// export --verify: every check of an archive without a database — tar
// structure, manifest against SHA256SUMS, each part's size, SHA-256 and row
// count against the manifest. Lists every problem, not just the first.
#include "cli/commands/commands.hpp"

#include "cli/cli_error.hpp"
#include "cli/archive/export_archive.hpp"
#include "cli/progress.hpp"

#include <iostream>

namespace tg::cli {

int run_verify(const Options &o) {
    Progress progress("verify", stderr_is_terminal());
    const VerifyResult result = verify_archive(o.archive, [&](std::uint64_t bytes) { progress.set_bytes(bytes); });
    progress.done();
    if (result.manifest) {
        std::cout << "archive " << o.archive << ": tenant " << result.manifest->tenant << " of "
                  << result.manifest->database_id << ", snapshot " << result.manifest->snapshot_time << ", "
                  << result.manifest->tables.size() << " tables\n";
    }
    for (const auto &line : result.checked) std::cout << "ok    " << line << "\n";
    for (const auto &problem : result.problems) std::cout << "FAIL  " << problem << "\n";
    if (!result.problems.empty()) {
        std::cout << o.archive << " is damaged: " << result.problems.size()
                  << (result.problems.size() == 1 ? " problem\n" : " problems\n");
        return exit_failed;
    }
    std::cout << o.archive << " is intact: " << result.checked.size() << " parts, " << with_thousands(result.rows)
              << " rows, every checksum matches\n";
    return exit_ok;
}

}  // namespace tg::cli
