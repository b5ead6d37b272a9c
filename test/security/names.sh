#!/usr/bin/env bash
# Prints every unqualified name that the SQL tenant_guard runs can resolve
# through a search_path: one line "func NAME", "type NAME" or "op SYMBOL".
#
# The SQL is taken from the code at the time of the run, so that a name
# added to the code is shadowed by test/security/run.sh without editing it:
#   - the string literals of src/extension/*.cpp and *.hpp (the SQL built in
#     C++ and passed to spi::exec, SPI_execute*, SPI_cursor_open*, try_text),
#     except the literals inside error reports (Error, refuse, ereport, ...);
#   - the bodies of the functions in tenant_guard--*.sql ($$ ... $$), with the
#     types of their PL/pgSQL DECLARE sections.
# Names qualified with a schema (tenant_guard.x, pg_catalog.x) and SQL keywords
# are left out; keyword operators (LIKE, IN, BETWEEN, IS DISTINCT FROM, NULLIF,
# CASE x WHEN) add the operators they are resolved to.
#
# Usage: test/security/names.sh [REPO_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
shopt -s nullglob
cpp=("$root"/src/extension/*.cpp "$root"/src/extension/*.hpp)
sql=("$root"/tenant_guard--*.sql)
if [ ${#cpp[@]} -eq 0 ] || [ ${#sql[@]} -eq 0 ]; then echo "names.sh: no sources under $root" >&2; exit 1; fi

perl - "${cpp[@]}" -- "${sql[@]}" <<'PERL'
use strict;
use warnings;

my (@cpp, @sql, $seen_sep);
for (@ARGV) { if ($_ eq '--') { $seen_sep = 1; next } push @{ $seen_sep ? \@sql : \@cpp }, $_ }

# Calls whose string arguments are messages, not SQL.
my $message = qr/^(?:Error|refuse|ereport|elog|err[a-z_]+|DefineCustom\w+|MarkGUCPrefixReserved|psprintf|snprintf|unique_violation_is_retryable|TokenFailure|runtime_error|logic_error)$/;

my @fragments;   # SQL text pieces

sub slurp { my ($f) = @_; open my $fh, '<', $f or die "$f: $!"; local $/; my $t = <$fh>; close $fh; return $t }

sub unescape_c {
    my ($s) = @_;
    $s =~ s/\\(["'\\?])/$1/g;
    $s =~ s/\\n/\n/g;
    $s =~ s/\\t/\t/g;
    return $s;
}

# C++: tokenise (comments, string and char literals, parentheses, identifiers)
# and keep the literals that are not inside a message call.
for my $file (@cpp) {
    my $text = slurp($file);
    my @stack;          # names of the calls we are inside
    my $last_ident = '';
    my $pending = undef;  # adjacent literals are one string
    pos($text) = 0;
    while (pos($text) < length $text) {
        if ($text =~ /\G(\/\/[^\n]*|\/\*.*?\*\/)/gcs) { next }
        if ($text =~ /\G"((?:\\.|[^"\\\n])*)"/gc) {
            my $lit = unescape_c($1);
            $lit =~ s/%(?:l?l?[sdu]|\.\*s)/"x"/g;   # C format directives (appendStringInfo)
            my $in_message = grep { /$message/ } @stack;
            if (!$in_message) { $pending = defined $pending ? $pending . $lit : $lit }
            $last_ident = '';
            next;
        }
        if ($text =~ /\G\s+/gc) { next }
        push(@fragments, $pending), $pending = undef if defined $pending;
        if ($text =~ /\G'(?:\\.|[^'\\])*'/gc) { $last_ident = ''; next }
        if ($text =~ /\G#[^\n]*/gc) { next }                         # preprocessor lines
        if ($text =~ /\G([A-Za-z_]\w*)/gc) { $last_ident = $1; next }
        if ($text =~ /\G\(/gc) { push @stack, $last_ident; $last_ident = ''; next }
        if ($text =~ /\G\)/gc) { pop @stack; $last_ident = ''; next }
        if ($text =~ /\G[{};]/gc) { @stack = () if $& ne '{' || 1; $last_ident = ''; next }
        $text =~ /\G./gcs;
        $last_ident = '' unless $& eq ':' ;   # keep "tg::Error" -> Error
    }
    push(@fragments, $pending) if defined $pending;
}

# The install and update scripts: function bodies, and PL/pgSQL declarations.
my @declared_types;
for my $file (@sql) {
    my $text = slurp($file);
    while ($text =~ /(\$[A-Za-z_]*\$)(.*?)\1/gs) {
        my $body = $2;
        push @fragments, $body;
        if ($body =~ /\bDECLARE\b(.*?)\bBEGIN\b/is) {
            my $decl = $1;
            $decl =~ s/--[^\n]*//g;
            for my $d (split /;/, $decl) {
                push @declared_types, $1
                    if $d =~ /^\s*[A-Za-z_]\w*\s+(?:CONSTANT\s+)?((?:[A-Za-z_]\w*\.)?"?[A-Za-z_][\w ]*?"?)\s*(?:\[\])?\s*(?::=|=|DEFAULT|NOT\s+NULL|$)/is;
            }
        }
    }
}

my %keyword = map { uc($_) => 1 } qw(
    select from where in exists any all some array row case when then else end coalesce greatest least nullif
    and or not as on using values insert into update delete set returning join left right full inner outer cross
    natural lateral with recursive ordinality order by group having limit offset fetch distinct union intersect
    except filter over partition window range rows groups conflict do nothing key primary references table tables
    index trigger function procedure execute create alter drop if elsif loop return query raise perform begin
    declare for foreach while exit continue next cast extract position substring trim overlay collate is null
    true false like ilike similar between default check unique constraint foreign cascade restrict truncate grant
    revoke to lock mode identity overriding system value only of share nowait skip locked including excluding
    get diagnostics found strict exception notice warning info log debug using errcode hint detail message
    each statement referencing new old enable disable always replica rename column add type schema extension
    sequence view materialized owned by local session interval timestamp time zone date character varying
    varchar char numeric decimal int integer bigint smallint real float double precision boolean bit national
    nchar dec json_table xmlconcat xmlelement xmlexists xmlforest xmlparse xmlpi xmlroot xmlserialize
    current_date current_time current_timestamp current_user session_user user localtime localtimestamp
    current_role current_catalog current_schema normalize treat asc desc nulls first last
    tablespace deduplicate_items analyze explain copy vacuum listen notify deferrable initially immediate
    deferred access exclusive operator);

my %sql_type_keyword = map { uc($_) => 1 } qw(int integer bigint smallint real float double numeric decimal
    boolean bool_kw char character varchar national nchar bit interval timestamp time date dec);
$sql_type_keyword{BOOLEAN} = 1;

my (%func, %type, %op, %qfunc, %qtype, %qop);

# SQL strings: keep the text of those that are SQL themselves (EXECUTE format
# templates), blank the others (messages, literals).
sub blank_strings {
    my ($s) = @_;
    $s =~ s{(?<![A-Za-z0-9_])[Ee]?'((?:[^']|'')*)'}{
        my $c = $1;
        $c =~ /\b(?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|LOCK|WITH)\b/ ? " " . ($c =~ s/%[IsL]/"x"/gr) . " " : "''"
    }ge;
    return $s;
}

for my $frag (@fragments) {
    my $s = $frag;
    $s =~ s/--[^\n]*//g;
    $s =~ s{/\*.*?\*/}{}gs;
    $s = blank_strings($s);
    $s =~ s/"[^"]*"//g unless $s =~ /::\s*"/;    # quoted identifiers ("C") name no function
    # Functions: an identifier followed by "(", not qualified, not a keyword,
    # not a table alias with a column list ("AS u(k, i)").
    while ($s =~ /(?<![\w.\$"%])"?([A-Za-z_]\w*)"?\s*\.\s*"?([A-Za-z_]\w*)"?\s*\(/g) { $qfunc{lc "$1.$2"} = 1 }
    while ($s =~ /(?<![\w.\$"%])([A-Za-z_]\w*)\s*\(/g) {
        my $name = $1;
        my $before = substr($s, 0, $-[1]);
        next if $keyword{uc $name};
        next if $before =~ /\bAS\s*$/i;
        next if $name =~ /^(?:tg_new_rows|tg_old_rows)$/;
        $func{lc $name} = 1;
    }
    # Types: after "::" (also "NULL::"), in CAST(x AS type).
    while ($s =~ /::\s*("?[A-Za-z_][\w]*"?(?:\s*\.\s*"?[A-Za-z_]\w*"?)?)/g) {
        my $t = $1;
        if ($t =~ /\./) { $t =~ s/["\s]//g; $qtype{$t} = 1; next }
        $t =~ s/"//g;
        next if $sql_type_keyword{uc $t};
        $type{$t} = 1;
    }
    while ($s =~ /\bCAST\s*\(.*?\bAS\s+("?[A-Za-z_]\w*"?(?:\.\w+)?)/gis) {
        my $t = $1;
        next if $t =~ /\./;
        $t =~ s/"//g;
        $type{$t} = 1 unless $sql_type_keyword{uc $t};
    }
    # Operators: runs of operator characters (not "::", ":=", "=>" or "*" of "(*)"/"SELECT *"/"x.*").
    # OPERATOR(schema.sym) is qualified; OPERATOR(sym) is not.
    $qop{$1} = 1 while $s =~ /\bOPERATOR\s*\(\s*("?\w+"?\s*\.\s*[^\s)]+)\s*\)/gi;
    $s =~ s/\bOPERATOR\s*\(\s*"?\w+"?\s*\.\s*[^\s)]+\s*\)/ /gi;
    $s =~ s/\bOPERATOR\s*\(\s*([^\s)]+)\s*\)/ $1 /gi;
    my $o = $s;
    $o =~ s/::|:=|=>//g;
    $o =~ s/\(\s*\*\s*\)|\.\*|\bSELECT\s+\*|\bRETURNING\s+\*//gi;
    while ($o =~ /([-+*\/<>=~!@#%^&|`?]+)/g) {
        my $sym = $1;
        $op{$sym} = 1;
    }
    $op{'~~'} = 1 if $s =~ /\bLIKE\b/i;
    $op{'!~~'} = 1 if $s =~ /\bNOT\s+LIKE\b/i;
    $op{'~~*'} = 1 if $s =~ /\bILIKE\b/i;
    @op{'>=', '<='} = (1, 1) if $s =~ /\bBETWEEN\b/i;
    $op{'='} = 1 if $s =~ /\bIN\s*\(|\bIS\s+(?:NOT\s+)?DISTINCT\s+FROM\b|\bNULLIF\s*\(|\bCASE\s+[\w.]+\s+WHEN\b/i;
    $op{'<>'} = 1 if $s =~ /\bNOT\s+IN\s*\(/i;
}
for my $t (@declared_types) {
    next if $t =~ /\./;
    $t =~ s/"//g;
    $t =~ s/\s+$//;
    next if $t =~ /\s/ || $sql_type_keyword{uc $t};
    $type{$t} = 1;
}

print "func $_\n" for sort keys %func;
print "type $_\n" for sort keys %type;
print "op $_\n" for sort keys %op;
print "qfunc $_\n" for sort keys %qfunc;
print "qtype $_\n" for sort keys %qtype;
print "qop $_\n" for sort keys %qop;
PERL
