#include "cli/recover/recover_outcome.hpp"

#include "cli/cli_error.hpp"

namespace tg::cli {

bool TenantOutcome::back() const {
    return status == TenantStatus::restored || status == TenantStatus::restored_earlier ||
           status == TenantStatus::restored_unjournaled;
}

std::uint64_t TenantOutcome::restored() const {
    std::uint64_t n = 0;
    for (const auto &t : tables) n += t.restored;
    return n;
}

std::uint64_t TenantOutcome::skipped() const {
    std::uint64_t n = 0;
    for (const auto &t : tables) n += t.skipped;
    return n;
}

const char *status_text(TenantStatus status) {
    switch (status) {
        case TenantStatus::restored:
            return "restored";
        case TenantStatus::restored_earlier:
            return "restored earlier";
        case TenantStatus::restored_unjournaled:
            return "restored (not journaled)";
        case TenantStatus::failed:
            return "FAILED";
        case TenantStatus::interrupted:
            return "interrupted";
        case TenantStatus::not_started:
            return "not started";
    }
    return "?";
}

const char *status_key(TenantStatus status) {
    switch (status) {
        case TenantStatus::restored:
            return "restored";
        case TenantStatus::restored_earlier:
            return "restored_earlier";
        case TenantStatus::restored_unjournaled:
            return "restored_unjournaled";
        case TenantStatus::failed:
            return "failed";
        case TenantStatus::interrupted:
            return "interrupted";
        case TenantStatus::not_started:
            return "not_started";
    }
    return "?";
}

nlohmann::ordered_json table_to_json(const TableResult &table) {
    const auto count = [&](std::uint64_t n) {
        return table.counted ? nlohmann::ordered_json(n) : nlohmann::ordered_json(nullptr);
    };
    return {{"table", table.rel},
            {"restored", count(table.restored)},
            {"skipped", count(table.skipped)},
            {"checksum",
             table.checksum.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(table.checksum)}};
}

TableResult table_from_json(const nlohmann::ordered_json &value) {
    try {
        TableResult table;
        table.rel = value.at("table").get<std::string>();
        table.restored = value.at("restored").get<std::uint64_t>();
        table.skipped = value.at("skipped").get<std::uint64_t>();
        const auto &checksum = value.at("checksum");
        if (!checksum.is_null()) table.checksum = checksum.get<std::string>();
        return table;
    } catch (const nlohmann::ordered_json::exception &error) {
        throw Failure(std::string("a table entry is malformed: ") + error.what());
    }
}

}  // namespace tg::cli
