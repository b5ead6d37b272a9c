#include "cli/deletions/operation_filter.hpp"

#include "cli/cli_error.hpp"

namespace tg::cli {
namespace {

struct Member {
    const char *key;
    const char *option;
    std::optional<std::string> DeletionFilter::*field;
};

constexpr Member members[] = {
    {"since", "--since", &DeletionFilter::since},
    {"until", "--until", &DeletionFilter::until},
    {"actor", "--actor", &DeletionFilter::actor},
    {"application_name", "--application-name", &DeletionFilter::application_name},
    {"xid", "--xid", &DeletionFilter::xid},
};

}  // namespace

bool DeletionFilter::empty() const { return !since && !until && !actor && !application_name && !xid; }

bool DeletionFilter::operator==(const DeletionFilter &other) const {
    return since == other.since && until == other.until && actor == other.actor &&
           application_name == other.application_name && xid == other.xid;
}

std::vector<std::optional<std::string>> filter_values(const DeletionFilter &filter) {
    std::vector<std::optional<std::string>> values;
    for (const auto &m : members) values.push_back(filter.*(m.field));
    return values;
}

std::string shell_quoted(const std::string &value) {
    bool plain = !value.empty();
    for (const unsigned char c : value) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        std::string_view("_.,:/@+=-").find(static_cast<char>(c)) != std::string_view::npos;
        plain = plain && ok;
    }
    if (plain) return value;
    std::string quoted = "'";
    for (const char c : value) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string filter_as_options(const DeletionFilter &filter) {
    std::string text;
    for (const auto &m : members) {
        const auto &value = filter.*(m.field);
        if (!value) continue;
        if (!text.empty()) text += " ";
        text += std::string(m.option) + " " + shell_quoted(*value);
    }
    return text;
}

nlohmann::ordered_json filter_to_json(const DeletionFilter &filter) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const auto &m : members) {
        const auto &value = filter.*(m.field);
        object[m.key] = value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
    }
    return object;
}

DeletionFilter filter_from_json(const nlohmann::ordered_json &value) {
    if (!value.is_object() || value.size() != std::size(members)) {
        throw Failure("the filter is not an object of since, until, actor, application_name and xid");
    }
    DeletionFilter filter;
    for (const auto &m : members) {
        const auto found = value.find(m.key);
        if (found == value.end()) throw Failure(std::string("the filter has no member ") + m.key);
        if (found->is_null()) continue;
        if (!found->is_string()) throw Failure(std::string("the filter's ") + m.key + " is not a string");
        filter.*(m.field) = found->get<std::string>();
    }
    return filter;
}

}  // namespace tg::cli
