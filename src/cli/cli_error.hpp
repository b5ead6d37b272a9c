// How a command ends when it does not succeed. main() maps each to its exit
// code: a usage error is the caller's mistake (2), a failure is refused or
// broken work (1), so scripts can tell "fix the command line" from "look at
// the database".
#pragma once

#include <stdexcept>
#include <string>

namespace tg::cli {

enum ExitCode : int { exit_ok = 0, exit_failed = 1, exit_usage = 2 };

class UsageError : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
};

// The message is complete as it stands (what failed and, where known, why).
class Failure : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
};

}  // namespace tg::cli
