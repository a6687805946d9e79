using System.Text;

namespace Signalbook.Tests.Infrastructure;

public sealed class TotpTests
{
    // RFC 6238, appendix B: SHA-1 secret "12345678901234567890"; the RFC lists 8 digits, the last 6 are ours.
    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1234567890L, "005924")]
    [InlineData(20000000000L, "353130")]
    public void Code_MatchesTheRfc6238TestVectors(long unixSeconds, string expected)
    {
        var key = Base32Encode(Encoding.ASCII.GetBytes("12345678901234567890"));
        Assert.Equal(expected, Totp.Code(key, DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));
    }

    private static string Base32Encode(byte[] data)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) sb.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }
}
