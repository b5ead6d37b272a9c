// A table's columns as the extension's SQL-building code needs them (undelete,
// rewind, purge). C++ over SPI: call inside spi::Session.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "extension/boundary.hpp"

namespace tg::columns {

// Conditions on pg_attribute a.
constexpr const char *primary_key =
    "a.attnum = ANY ((SELECT i.indkey FROM pg_catalog.pg_index i "
    "WHERE i.indrelid = a.attrelid AND i.indisprimary)::int2[])";
constexpr const char *insertable = "a.attgenerated = ''";

// Live columns of relid meeting condition, in C-collated name order; quoted
// with quote_ident when asked.
std::vector<std::string> names(Oid relid, const char *condition, bool quoted);

// "x.a OPERATOR(s.=) p.a AND ..." over the primary key (quoted names), each
// with the equality operator of its column's type named by its schema: the
// extension's SQL runs with a pinned search_path, which finds no operator of
// a user's type (citext, a user's own type) unqualified, and must never find
// one a caller put first.
std::string primary_key_match(Oid relid);

// SQL: true when the tenant column expression column (alias.quoted name)
// holds tenant param (a text parameter, $n) as capture spells tenants: its
// text, compared in "C" (the column's own = may take other tenants for
// equal: a nondeterministic collation, citext; format() would take the
// column's collation).
std::string tenant_text_is(const std::string &column, const std::string &param);

// "jsonb_build_object('a', x.a, ...)" over the primary key of relid, alias x
// (none when empty): the key as capture writes it, values of a type it writes
// as text (hstore) through their text output. Run it under the output
// settings of images (spi::PinnedOutputSettings).
std::string primary_key_object(Oid relid, const std::string &alias);

// The SQL vocabulary of one table, built once per operation and shared by
// undelete (table_restore), rewind and purge: its qualified name, how a key
// read from an image matches a row, its key as capture writes it, and typed
// column lists for reading images.
class TableSql {
   public:
    explicit TableSql(Oid relid);
    Oid relid() const { return relid_; }
    const std::string &rel() const { return rel_; }  // "schema"."table"
    // "x.a OPERATOR(s.=) p.a AND ...": row x has the key of record p.
    const std::string &key_match() const { return key_match_; }
    // "jsonb_to_record(json) AS alias(a integer, ...)": record alias read
    // from the key object json through the key columns' own types. Never
    // jsonb_populate_record(NULL::table, key): that builds the whole row
    // type, and a NOT NULL domain column the key lacks fails it (23502).
    std::string key_record(const std::string &json, const std::string &alias = "p") const;
    // The key of row alias as capture writes it (primary_key_object).
    std::string key_object(const std::string &alias) const;
    // Whether the plain-named column is one of the primary key's.
    bool in_key(const std::string &name) const;
    // "alias.a, alias.b": the key columns of record alias, for a PARTITION BY
    // (grouped by the types' default equality, as the primary key compares).
    std::string key_columns(const std::string &alias) const;
    // Plain names of the columns an INSERT may write (not generated).
    const std::vector<std::string> &insertable() const { return insertable_; }
    // "a integer, b text" for a quoted column list "a, b"; cached per list.
    const std::string &typed(const std::string &quoted_columns);
    // The value of a quoted column read back from image (SQL, jsonb) through
    // record alias (jsonb_to_record(image) AS alias(typed(...))): alias.c, or
    // for a json or jsonb column the exact text the image keeps beside it,
    // where it keeps one (schema_constants.hpp: exact_text_suffix).
    std::string value(const std::string &quoted_column, const std::string &image, const std::string &alias);
    // value() of each column of a quoted list, as a select list.
    std::string values(const std::string &quoted_columns, const std::string &image, const std::string &alias);

   private:
    struct KeyColumn {
        std::string name;  // plain
        Oid type;
    };
    struct ExactTextColumn {
        std::string text_key;  // the key of its exact text
        std::string type;      // its type, for a cast
    };
    // The json and jsonb columns, by quoted name; read on first use.
    const std::map<std::string, ExactTextColumn> &exact_text_columns();
    bool exact_text_read_ = false;
    std::map<std::string, ExactTextColumn> exact_text_;
    Oid relid_;
    std::vector<KeyColumn> key_;  // in C-collated name order
    std::string rel_, key_match_, key_typed_;
    std::vector<std::string> insertable_;
    std::map<std::string, std::string> typed_;  // node-based: references stay valid
};

// OPERATOR(schema.name) of operator opr, for SQL text.
std::string operator_sql(Oid opr);
// The default equality operator of type (its btree opclass's), as operator_sql.
std::string equality_operator(Oid type);

// "a integer, b text" for a quoted column list "a, b" (for jsonb_to_record).
std::string typed(Oid relid, const std::string &quoted_columns);

// A foreign key of a table (the child) to a parent table.
struct ForeignKey {
    Oid constraint;
    Oid parent;
    std::vector<std::string> parent_columns;  // quote_ident()ed, in key order
    std::vector<Oid> parent_types;
    std::vector<Oid> child_types;
    std::vector<std::string> child_names;  // plain names, in key order
    std::vector<std::string> parent_names;
    // SQL: the referenced key read from a child's row image (a jsonb
    // expression) as an object of the parent's column names — read through
    // the parent's types (referenced_record), so no value of the child's
    // types is evaluated on the parent owner's behalf.
    std::string referenced_key(const std::string &image) const;
    // SQL: "jsonb_to_record(referenced_key(image)) AS alias(...)", the
    // referenced key typed as the parent's key columns (see TableSql::key_record).
    std::string referenced_record(const std::string &image, const std::string &alias) const;
    // SQL: true when the image references a row (no key column null).
    std::string references_a_row(const std::string &image) const;
    // SQL: "x.a OPERATOR(s.=) p.a AND ..." over the parent's key columns.
    std::string match() const;
    // Whether the key maps child column `child` to parent column `parent`,
    // both of one type whose equal values always have one text (integers,
    // uuid): then a child row and the row it references have one text there.
    bool pairs_same_text(const std::string &child, const std::string &parent) const;
};

// Foreign keys of relid, by constraint: those declared on it, not the copies
// PostgreSQL makes on partitions, nor those it adds per partition of a
// referenced partitioned table (conparentid set).
std::vector<ForeignKey> foreign_keys(Oid relid);

// The items of a list of quote_ident()ed names joined by ", " (a quoted name
// may itself contain ", ").
std::vector<std::string> split_list(const std::string &quoted_columns);

// A text[] datum.
Datum text_array(const std::vector<std::string> &items);

}  // namespace tg::columns
