#!/usr/bin/perl
# Prints each failed test of the TRX files given, with the first lines of its message and stack, so the end of a
# long test log says what failed (CI keeps only the tail), then what the run itself reported as errors outside any test
# (a fixture's cleanup that threw, a test host that crashed): those fail a run whose tests all passed.
use strict; use warnings;
sub plain { my $s = shift // ''; $s =~ s/&lt;/</g; $s =~ s/&gt;/>/g; $s =~ s/&quot;/"/g; $s =~ s/&apos;/'/g; $s =~ s/&#xD;//g; $s =~ s/&#xA;/\n/g; $s =~ s/&amp;/&/g; return $s; }
for my $file (@ARGV) {
  open my $fh, '<', $file or next; local $/; my $xml = <$fh>; close $fh;
  # A result without output is one self-closing element; the others hold their message and stack.
  while ($xml =~ m{<UnitTestResult\b([^>]*?)(?:/>|>(.*?)</UnitTestResult>)}gs) {
    my ($attrs, $body) = ($1, $2 // '');
    next unless $attrs =~ /outcome="Failed"/;
    my ($name) = $attrs =~ /testName="([^"]*)"/;
    my ($message) = $body =~ m{<Message>(.*?)</Message>}s;
    my ($stack) = $body =~ m{<StackTrace>(.*?)</StackTrace>}s;
    ($name, $message, $stack) = map { plain($_) } ($name, $message, $stack);
    print "[test] FAILED $name\n";
    my @lines = (split(/\n/, $message // ''), grep { /Signalbook/ } split(/\n/, $stack // ''));
    print "         $_\n" for grep { /\S/ } @lines[0 .. ($#lines < 24 ? $#lines : 24)];
  }
  while ($xml =~ m{<RunInfo\b([^>]*)>(.*?)</RunInfo>}gs) {
    my ($attrs, $body) = ($1, $2);
    next unless $attrs =~ /outcome="(Error|Failed)"/;
    my ($text) = $body =~ m{<Text>(.*?)</Text>}s;
    my @lines = grep { /\S/ } split(/\n/, plain($text));
    print "[test] RUN ERROR in ", ($file =~ m{([^/]+)\.trx$})[0], "\n";
    print "         $_\n" for @lines[0 .. ($#lines < 30 ? $#lines : 30)];
  }
}
