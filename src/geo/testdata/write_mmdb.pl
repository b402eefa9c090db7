#!/usr/bin/perl
# Writes a small MaxMind DB for custodian's geo tests, with Debian's libmaxmind-db-writer-perl:
#   perl write_mmdb.pl SPEC.json OUT.mmdb
# SPEC is JSON:
#   {"database_type": "GeoIP2-City", "ip_version": 6, "build_epoch": 1780660800,
#    "languages": ["en"], "description": {"en": "…"},
#    "types": {"country": "map", "iso_code": "utf8_string", "subdivisions": ["array", "map"], …},
#    "networks": {"203.0.113.0/24": {"country": {"iso_code": "FR"}}, …}}
# Every map key in the records needs its MMDB type in "types" (the writer asks per key).
# Networks are inserted in the sorted order of their text; tests keep them disjoint.
use strict;
use warnings;

use JSON::PP;
use MaxMind::DB::Writer::Tree;

die "usage: write_mmdb.pl SPEC.json OUT.mmdb\n" unless @ARGV == 2;
my ($spec_path, $out_path) = @ARGV;

open my $in, '<:raw', $spec_path or die "$spec_path: $!\n";
my $spec = JSON::PP->new->utf8->decode(do { local $/; <$in> });
close $in;

my %types = %{ $spec->{types} // {} };
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version    => $spec->{ip_version} // 6,
    record_size   => 24,
    database_type => $spec->{database_type},
    languages     => $spec->{languages} // ['en'],
    description   => $spec->{description} // { en => 'custodian test database' },
    map_key_type_callback => sub { $types{ $_[0] } // die "no type for key '$_[0]'\n" },
    # The default (1) silently drops inserts into reserved ranges, and the tests use the
    # documentation ranges 203.0.113.0/24 and 2001:db8::/32.
    remove_reserved_networks => 0,
);
# A fixed build date, so that tests can pin the `source` label.
$tree->_set_build_epoch($spec->{build_epoch}) if defined $spec->{build_epoch};

for my $network (sort keys %{ $spec->{networks} }) {
    $tree->insert_network($network, $spec->{networks}{$network});
}

open my $out, '>:raw', $out_path or die "$out_path: $!\n";
$tree->write_tree($out);
close $out or die "$out_path: $!\n";
