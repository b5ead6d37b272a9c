#include "cli/db/data_settings.hpp"

namespace tg::cli {

const std::map<std::string, std::string> &data_settings() {
    static const std::map<std::string, std::string> settings = {
        {"DateStyle", "ISO, YMD"},
        {"IntervalStyle", "postgres"},
        {"TimeZone", "UTC"},
        {"bytea_output", "hex"},
        {"client_encoding", "UTF8"},
        // Shortest exact float output (the default since PostgreSQL 12).
        {"extra_float_digits", "1"},
    };
    return settings;
}

void apply_data_settings(Connection &conn) {
    for (const auto &[name, value] : data_settings()) {
        conn.exec("SELECT pg_catalog.set_config($1, $2, false)", {name, value});
    }
}

}  // namespace tg::cli
