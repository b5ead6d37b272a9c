#!/usr/bin/perl
# normalize_dump.pl < DUMP: the definitions of the tenant_guard schema in a
# `pg_dump --schema-only --binary-upgrade` of a database (binary-upgrade mode
# dumps each member of an extension as its own DDL, with its grants and its
# initial privileges; a plain dump shows only CREATE EXTENSION), one entry per
# object, sorted, with what differs between two databases of the same
# definitions taken out: OIDs, relfilenodes and frozen xids, sequence values,
# the OIDs of the extension's configuration tables (upgrade.sh compares those
# by name), the table access method setting pg_dump writes before its first
# table, and ACL entries that grant nothing but the default (an ACL never
# changed and one revoked and granted back are the same privileges).
# Entries of other schemas (the test's own tables) are left out; objects of
# no schema (the extension, event triggers) are kept.
use strict;
use warnings;

local $/;
my $dump = <STDIN>;
my @entries = split /^(?=--\n-- Name: )/m, $dump;
shift @entries;    # the header: settings
my $frozen = qr/UPDATE pg_catalog\.pg_class\nSET relfrozenxid = '\d+', relminmxid = '\d+'\nWHERE oid = .*;\n/;
my @kept;
for my $e (@entries) {
    my ($type, $schema) = $e =~ /^--\n-- Name: .*?; Type: (.*?); Schema: (.*?); Owner:/
        or die "normalize_dump.pl: an entry without a header:\n$e";
    next unless $schema eq 'tenant_guard' || $schema eq '-';
    next if $type eq 'SEQUENCE SET';
    $e =~ s/^\\(?:un)?restrict .*\n//mg;
    # A session setting pg_dump writes before the first table it dumps, which
    # may be another schema's (left out here): not a definition.
    $e =~ s/^SET default_table_access_method = .*\n//mg;
    $e =~ s/^-- For binary upgrade, must preserve .*\n//mg;
    $e =~ s/^SELECT pg_catalog\.binary_upgrade_set_next_.*\n//mg;
    $e =~ s/^-- For binary upgrade, set (?:heap|toast)'s relfrozenxid and relminmxid\n$frozen//mg;
    $e =~ s/(binary_upgrade_create_empty_extension\('[^']*', '[^']*', \w+, '[^']*', )'\{[\d,]*\}', '\{[^}]*\}'/$1<configuration tables>/;
    $e =~ s/\n{3,}/\n\n/g;
    next if $type eq 'ACL' && $e !~ /^(?:GRANT|REVOKE) /m;
    push @kept, $e;
}
print sort @kept;
