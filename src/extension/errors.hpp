// Every SQLSTATE of tenant_guard's own class TG, in one place. The backend
// module raises them; src/common's token refusals (and so the command line)
// report TG010 ... TG017 from here too; TG022 is raised by SQL
// (tenant_guard._changes()). Plain C++, no PostgreSQL header, so that both
// sides can include it. A code converts to PostgreSQL's packed form
// (MAKE_SQLSTATE) for errcode() and tg::Error; its text is .text.
//
// The README ("Recognising tenant_guard's errors in applications") says what
// each means and what to do. SQLSTATEs are part of the contract: never change
// one, add new ones.
#pragma once

namespace tg::sqlstate {

struct Code {
    char text[6];
    // PostgreSQL's MAKE_SQLSTATE: six bits per character.
    constexpr operator int() const {
        int packed = 0;
        for (int i = 0; i < 5; i++) packed += ((text[i] - '0') & 0x3F) << (6 * i);
        return packed;
    }
};

// Guard rails.
inline constexpr Code blast_radius{"TG001"};  // a statement changed rows of more tenants than allowed
inline constexpr Code wrong_tenant{"TG002"};  // a row outside tenant_guard.tenant, or a tenant column changed
inline constexpr Code hard_delete{"TG003"};   // a back door (TRUNCATE, DROP, disabling triggers ...) refused

// Purge and unprotect tokens.
inline constexpr Code token_malformed{"TG010"};        // not a token, bad encoding, bad or missing claims
inline constexpr Code token_bad_signature{"TG011"};    // the signature does not match the key
inline constexpr Code token_unknown_key{"TG012"};      // unknown, revoked or unusable key
inline constexpr Code token_time_window{"TG013"};      // expired, not yet valid, or lifetime too long
inline constexpr Code token_used{"TG014"};             // the token's jti was used already
inline constexpr Code token_wrong_database{"TG015"};   // made for another database
inline constexpr Code token_scope_too_large{"TG016"};  // more rows in scope than max_rows
inline constexpr Code token_scope_invalid{"TG017"};    // a scope that cannot be (tables, rows, tenant, act)

// Restores and history.
inline constexpr Code undelete_conflict{"TG020"};  // a tombstone's primary key is taken by a live row
inline constexpr Code history_too_short{"TG021"};  // a rewind point the history no longer reaches
inline constexpr Code cursor_too_old{"TG022"};     // a changes() cursor older than the retained history (SQL)

}  // namespace tg::sqlstate
