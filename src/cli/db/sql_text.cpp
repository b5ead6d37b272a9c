#include "cli/db/sql_text.hpp"

namespace tg::cli {

std::string quote_ident(std::string_view name) {
    std::string quoted = "\"";
    for (const char c : name) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string qualified_name(std::string_view schema, std::string_view name) {
    return quote_ident(schema) + "." + quote_ident(name);
}

std::string column_list(const std::vector<std::string> &names) {
    std::string list;
    for (const auto &name : names) {
        if (!list.empty()) list += ", ";
        list += quote_ident(name);
    }
    return list;
}

}  // namespace tg::cli
