// SQL text built on the client: identifiers are always quoted, so any table
// or column name (mixed case, spaces, keywords) is taken literally. Values
// never go through here; they travel as parameters or PQescapeLiteral.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tg::cli {

std::string quote_ident(std::string_view name);
std::string qualified_name(std::string_view schema, std::string_view name);
// "a", "b", "c" — quoted and comma-separated.
std::string column_list(const std::vector<std::string> &names);

}  // namespace tg::cli
