// token: builds the claims, checks them with the same code the server uses
// (src/common/claims), signs them locally. Only database_id() is asked of the
// server, and only when --db-id is not given.
#include "cli/commands/commands.hpp"

#include "common/claims.hpp"
#include "common/ed25519.hpp"
#include "common/strict_json.hpp"
#include "common/time_text.hpp"
#include "common/token.hpp"
#include "cli/cli_error.hpp"
#include "cli/file_io.hpp"
#include "cli/db/connection.hpp"
#include "cli/progress.hpp"
#include "cli/random_id.hpp"

#include <ctime>
#include <iostream>

namespace tg::cli {
namespace {

std::vector<nlohmann::json> read_row_keys(const std::string &path) {
    const std::string text = read_small_file(path, 1 << 20);
    nlohmann::json rows;
    try {
        rows = tg::common::parse_strict_json(text);
    } catch (const tg::common::StrictJsonError &error) {
        throw Failure(path + " is not valid JSON: " + error.what());
    }
    if (!rows.is_array()) throw Failure(path + " must hold a JSON array of primary keys, e.g. [{\"id\": 7}]");
    return rows.get<std::vector<nlohmann::json>>();
}

std::string database_id(const Options &o) {
    if (o.db_id) return *o.db_id;
    Connection conn = Connection::open(o.dbname);
    return conn.exec("SELECT tenant_guard.database_id()").get(0, 0);
}

}  // namespace

int run_token(const Options &o) {
    // Load the key first: a wrong key file should fail before anything else.
    const tg::common::PrivateKey key = [&] {
        try {
            return tg::common::PrivateKey::from_pem(read_small_file(o.key_file, 64 * 1024));
        } catch (const tg::common::CryptoError &error) {
            throw Failure(o.key_file + ": " + error.what());
        }
    }();

    tg::common::Claims claims;
    claims.kid = o.kid;
    claims.act = o.act == "unprotect" ? tg::common::TokenAction::unprotect : tg::common::TokenAction::purge;
    claims.db = database_id(o);
    if (!o.tenant.empty()) claims.tenant = o.tenant;
    claims.tables = o.tables;
    if (!o.rows_file.empty()) claims.rows = read_row_keys(o.rows_file);
    claims.live = o.live;
    claims.max_rows = o.max_rows;
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    claims.iat = now;
    claims.exp = now + o.expires_seconds;
    claims.jti = random_token_id();
    claims.reason = o.reason;

    const nlohmann::json encoded = tg::common::encode_claims(claims);
    try {
        tg::common::decode_claims(encoded);  // the server's own checks, before signing
    } catch (const tg::common::TokenError &error) {
        throw Failure(std::string("the claims would be refused (") + error.sqlstate() + "): " + error.message() +
                      (error.hint().empty() ? "" : "\nHINT: " + error.hint()));
    }
    const std::string token = tg::common::make_token(encoded, key);
    std::cout << token << "\n";
    if (stderr_is_terminal()) {
        std::cerr << tg::common::action_name(claims.act) << " token for "
                  << (claims.tenant ? "tenant " + *claims.tenant : "table " + claims.tables.front()) << " on "
                  << claims.db << ", expires " << tg::common::format_utc(claims.exp) << ", jti " << claims.jti << "\n";
    }
    return exit_ok;
}

}  // namespace tg::cli
