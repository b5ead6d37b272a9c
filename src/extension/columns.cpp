#include "extension/columns.hpp"

#include "extension/columns_pg.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/schema_constants.hpp"
#include "extension/spi.hpp"

namespace tg::columns {

std::vector<std::string> names(Oid relid, const char *condition, bool quoted) {
    uint64 n = spi::exec(std::string("SELECT ") + (quoted ? "quote_ident(a.attname::text)" : "a.attname::text") +
                             " FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 "
                             "AND NOT a.attisdropped AND " +
                             condition + " ORDER BY a.attname::text COLLATE \"C\"",
                         {{OIDOID, datum::from_oid(relid)}});
    std::vector<std::string> out;
    for (uint64 r = 0; r < n; r++) out.push_back(spi::text(r, 1));
    return out;
}

std::string primary_key_match(Oid relid) {
    uint64 n = spi::exec(std::string("SELECT quote_ident(a.attname::text), a.atttypid FROM pg_catalog.pg_attribute a "
                                     "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND ") +
                             primary_key + " ORDER BY a.attname::text COLLATE \"C\"",
                         {{OIDOID, datum::from_oid(relid)}});
    std::vector<std::pair<std::string, Oid>> keys;
    for (uint64 r = 0; r < n; r++) keys.emplace_back(spi::text(r, 1), (Oid)spi::int64_at(r, 2));
    std::string match;
    for (const auto &[c, type] : keys)
        match += (match.empty() ? "" : " AND ") + ("x." + c + " " + equality_operator(type) + " p." + c);
    return match;
}

std::vector<ForeignKey> foreign_keys(Oid relid) {
    // One row per column of each foreign key, in key order.
    uint64 n = spi::exec(
        "SELECT c.oid, c.confrelid, quote_ident(pa.attname), pa.atttypid, ca.attname::text, pa.attname::text, "
        "       ca.atttypid "
        "  FROM pg_catalog.pg_constraint c, unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(ck, fk, i) "
        "  JOIN pg_catalog.pg_attribute ca ON ca.attrelid = $1 AND ca.attnum = k.ck "
        "  JOIN pg_catalog.pg_attribute pa ON pa.attnum = k.fk "
        " WHERE c.contype = 'f' AND c.conrelid = $1 AND c.conparentid = 0 AND pa.attrelid = c.confrelid "
        " ORDER BY c.oid, k.i",
        {{OIDOID, datum::from_oid(relid)}});
    std::vector<ForeignKey> fks;
    for (uint64 r = 0; r < n; r++) {
        Oid constraint = (Oid)spi::int64_at(r, 1);
        if (fks.empty() || fks.back().constraint != constraint) fks.push_back({constraint, (Oid)spi::int64_at(r, 2)});
        ForeignKey &fk = fks.back();
        fk.parent_columns.push_back(spi::text(r, 3));
        fk.parent_types.push_back((Oid)spi::int64_at(r, 4));
        fk.child_names.push_back(spi::text(r, 5));
        fk.parent_names.push_back(spi::text(r, 6));
        fk.child_types.push_back((Oid)spi::int64_at(r, 7));
    }
    return fks;
}

std::string tenant_text_is(const std::string &column, const std::string &param) {
    return "pg_catalog.format('%s', " + column + ") COLLATE pg_catalog.\"C\" = " + param;
}

bool ForeignKey::pairs_same_text(const std::string &child, const std::string &parent) const {
    for (size_t i = 0; i < child_names.size(); i++) {
        if (child_names[i] != child || parent_names[i] != parent || child_types[i] != parent_types[i]) continue;
        Oid t = child_types[i];
        if (t == INT2OID || t == INT4OID || t == INT8OID || t == UUIDOID) return true;
    }
    return false;
}

std::string ForeignKey::referenced_key(const std::string &image) const {
    std::string pairs;
    for (size_t i = 0; i < child_names.size(); i++)
        pairs += (i ? ", " : "") + spi::quote_literal(parent_names[i]) + ", (" + image + ") -> " +
                 spi::quote_literal(child_names[i]);
    return "jsonb_build_object(" + pairs + ")";
}

namespace {

std::string joined(const std::vector<std::string> &items) {
    std::string out;
    for (const auto &i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

}  // namespace

std::string ForeignKey::referenced_record(const std::string &image, const std::string &alias) const {
    return "jsonb_to_record(" + referenced_key(image) + ") AS " + alias + "(" + typed(parent, joined(parent_columns)) +
           ")";
}

namespace {

// The value of column c (plain name) of row alias as capture writes it in a key.
std::string key_value(const std::string &alias, const std::string &c, Oid type) {
    std::string value = (alias.empty() ? "" : alias + ".") + spi::quote_ident(c);
    return pg::written_as_text(type) ? "pg_catalog.format('%s', " + value + ")" : value;
}

}  // namespace

// One read of the key columns for what primary_key_match, typed and
// primary_key_object would each read again.
TableSql::TableSql(Oid relid) : relid_(relid), rel_(spi::qualified_name(relid)) {
    uint64 n = spi::exec(std::string("SELECT a.attname::text, a.atttypid, quote_ident(a.attname) || ' ' || "
                                     "format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a "
                                     "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND ") +
                             primary_key + " ORDER BY a.attname::text COLLATE \"C\"",
                         {{OIDOID, datum::from_oid(relid)}});
    std::vector<std::string> typed;
    for (uint64 r = 0; r < n; r++) {
        key_.push_back({spi::text(r, 1), (Oid)spi::int64_at(r, 2)});
        typed.push_back(spi::text(r, 3));
    }
    key_typed_ = joined(typed);
    for (const auto &k : key_) {
        std::string c = spi::quote_ident(k.name);
        key_match_ += (key_match_.empty() ? "" : " AND ") + ("x." + c + " " + equality_operator(k.type) + " p." + c);
    }
    insertable_ = columns::names(relid, columns::insertable, false);
}

std::string TableSql::key_record(const std::string &json, const std::string &alias) const {
    return "jsonb_to_record(" + json + ") AS " + alias + "(" + key_typed_ + ")";
}

std::string TableSql::key_object(const std::string &alias) const {
    std::string pairs;
    for (const auto &k : key_)
        pairs += (pairs.empty() ? "" : ", ") + spi::quote_literal(k.name) + ", " + key_value(alias, k.name, k.type);
    return "jsonb_build_object(" + pairs + ")";
}

bool TableSql::in_key(const std::string &name) const {
    for (const auto &k : key_)
        if (k.name == name) return true;
    return false;
}

std::string TableSql::key_columns(const std::string &alias) const {
    std::string list;
    for (const auto &k : key_) list += (list.empty() ? "" : ", ") + alias + "." + spi::quote_ident(k.name);
    return list;
}

const std::string &TableSql::typed(const std::string &quoted_columns) {
    auto it = typed_.find(quoted_columns);
    if (it == typed_.end()) it = typed_.emplace(quoted_columns, columns::typed(relid_, quoted_columns)).first;
    return it->second;
}

const std::map<std::string, TableSql::ExactTextColumn> &TableSql::exact_text_columns() {
    if (exact_text_read_) return exact_text_;
    uint64 n = spi::exec(
        "SELECT quote_ident(a.attname), a.attname::text, a.atttypid, format_type(a.atttypid, a.atttypmod) "
        "  FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped",
        {{OIDOID, datum::from_oid(relid_)}});
    for (uint64 r = 0; r < n; r++) {
        if (pg::keeps_exact_text((Oid)spi::int64_at(r, 3)))
            exact_text_[spi::text(r, 1)] = {spi::text(r, 2) + schema::exact_text_suffix, spi::text(r, 4)};
    }
    exact_text_read_ = true;
    return exact_text_;
}

std::string TableSql::value(const std::string &quoted_column, const std::string &image, const std::string &alias) {
    std::string value = alias + "." + quoted_column;
    auto it = exact_text_columns().find(quoted_column);
    if (it == exact_text_.end()) return value;
    return "coalesce(((" + image + ") ->> " + spi::quote_literal(it->second.text_key) + ")::" + it->second.type + ", " +
           value + ")";
}

std::string TableSql::values(const std::string &quoted_columns, const std::string &image, const std::string &alias) {
    std::string out;
    for (const auto &c : split_list(quoted_columns)) out += (out.empty() ? "" : ", ") + value(c, image, alias);
    return out;
}

std::string ForeignKey::references_a_row(const std::string &image) const {
    std::string all;
    for (size_t i = 0; i < child_names.size(); i++)
        all += (i ? " AND " : "") +
               ("coalesce((" + image + ") -> " + spi::quote_literal(child_names[i]) + ", 'null') <> 'null'::jsonb");
    return all;
}

std::string ForeignKey::match() const {
    std::string m;
    for (size_t i = 0; i < parent_columns.size(); i++)
        m += (i ? " AND x." : "x.") + parent_columns[i] + " " + equality_operator(parent_types[i]) + " p." +
             parent_columns[i];
    return m;
}

std::string primary_key_object(Oid relid, const std::string &alias) {
    uint64 n = spi::exec(std::string("SELECT a.attname::text, a.atttypid FROM pg_catalog.pg_attribute a "
                                     "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND ") +
                             primary_key + " ORDER BY a.attname::text COLLATE \"C\"",
                         {{OIDOID, datum::from_oid(relid)}});
    std::vector<std::pair<std::string, Oid>> keys;
    for (uint64 r = 0; r < n; r++) keys.emplace_back(spi::text(r, 1), (Oid)spi::int64_at(r, 2));
    std::string pairs;
    for (const auto &[c, type] : keys)
        pairs += (pairs.empty() ? "" : ", ") + spi::quote_literal(c) + ", " + key_value(alias, c, type);
    return "jsonb_build_object(" + pairs + ")";
}

std::string operator_sql(Oid opr) { return tg::pg::operator_sql(opr); }

std::string equality_operator(Oid type) {
    Oid opr = tg::pg::default_equality_operator(type);
    if (!OidIsValid(opr))
        throw Error(ERRCODE_UNDEFINED_FUNCTION,
                    "type " + std::string(tg::pg::format_type(type)) + " has no default equality operator", "",
                    "tenant_guard matches keys and tenants with the type's default btree equality.");
    return operator_sql(opr);
}

std::string typed(Oid relid, const std::string &quoted_columns) {
    uint64 n = spi::exec(
        "SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' "
        "                  ORDER BY a.attname::text COLLATE \"C\") "
        "  FROM pg_catalog.pg_attribute a "
        " WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped "
        "   AND quote_ident(a.attname) = ANY ($2)",
        {{OIDOID, datum::from_oid(relid)}, {TEXTARRAYOID, text_array(split_list(quoted_columns))}});
    return n ? spi::text(0, 1) : std::string();
}

std::vector<std::string> split_list(const std::string &quoted_columns) {
    std::vector<std::string> out;
    size_t i = 0, n = quoted_columns.size();
    while (i < n) {
        size_t start = i;
        if (quoted_columns[i] == '"') {
            // Up to the closing quote; "" inside is an escaped quote.
            for (i++; i < n; i++) {
                if (quoted_columns[i] != '"') continue;
                if (i + 1 < n && quoted_columns[i + 1] == '"') {
                    i++;
                    continue;
                }
                i++;
                break;
            }
        } else {
            while (i < n && quoted_columns[i] != ',') i++;
        }
        out.push_back(quoted_columns.substr(start, i - start));
        if (i < n) i += 2;  // ", "
    }
    return out;
}

Datum text_array(const std::vector<std::string> &items) {
    std::vector<Datum> texts;
    for (const auto &i : items) texts.push_back(spi::text_arg(i).value);
    return spi::array_of(texts, TEXTOID);
}

}  // namespace tg::columns
