// Session settings under which archive data is written and read back, fixed
// so that an archive does not depend on the server's or the user's defaults
// (a timestamptz written in UTC reads back the same anywhere).
#pragma once

#include "cli/db/connection.hpp"

#include <map>
#include <string>

namespace tg::cli {

const std::map<std::string, std::string> &data_settings();

// SET each of them on the connection (session level).
void apply_data_settings(Connection &conn);

}  // namespace tg::cli
