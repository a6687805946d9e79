#!/usr/bin/perl
# Prints each failed test of the TRX files given, with the first lines of its message and stack, so the end of a
# long test log says what failed (CI keeps only the tail).
use strict; use warnings;
for my $file (@ARGV) {
  open my $fh, '<', $file or next; local $/; my $xml = <$fh>; close $fh;
  # A result without output is one self-closing element; the others hold their message and stack.
  while ($xml =~ m{<UnitTestResult\b([^>]*?)(?:/>|>(.*?)</UnitTestResult>)}gs) {
    my ($attrs, $body) = ($1, $2 // '');
    next unless $attrs =~ /outcome="Failed"/;
    my ($name) = $attrs =~ /testName="([^"]*)"/;
    my ($message) = $body =~ m{<Message>(.*?)</Message>}s;
    my ($stack) = $body =~ m{<StackTrace>(.*?)</StackTrace>}s;
    for ($name, $message, $stack) { next unless defined; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&apos;/'/g; s/&#xD;//g; s/&#xA;/\n/g; s/&amp;/&/g; }
    print "[test] FAILED $name\n";
    my @lines = (split(/\n/, $message // ''), grep { /Signalbook/ } split(/\n/, $stack // ''));
    print "         $_\n" for grep { /\S/ } @lines[0 .. ($#lines < 24 ? $#lines : 24)];
  }
}
