using System.Buffers;
using System.Text.Json;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Import.Formats.Us;

namespace Signalbook.Tests.Features.Journal.Import.Us;

/// <summary>The import's allocation-free shortcuts read and write exactly what the general paths do.</summary>
public sealed class UsTextFastPathTests
{
    [Theory]
    [InlineData("123", "123")]
    [InlineData("-123.450", "-123.450")]
    [InlineData(" 0.5 ", "0.5")]
    [InlineData(".25", "0.25")]
    [InlineData("7.", "7")]
    [InlineData("$1,234.50", "1234.50")]
    [InlineData("(5.5)", "-5.5")]
    [InlineData("12-", "-12")]
    [InlineData("+3", "3")]
    [InlineData("1E-05", "0.00001")]
    public void TryNumber_PlainAndDecoratedNumbers_ReadTheSameValue(string text, string expected)
    {
        Assert.True(UsText.TryNumber(text, out var value));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("1.2.3")]
    [InlineData("--5")]
    [InlineData("abc")]
    [InlineData("")]
    public void TryNumber_NotANumber_IsRefused(string text) => Assert.False(UsText.TryNumber(text, out _));

    [Fact]
    public void TryNumber_CommaSeparator_StillGroupsDots() => Assert.True(UsText.TryNumber("1.234,5", out var v, ',') && v == 1234.5m);

    [Theory]
    [InlineData("S0001", false)]
    [InlineData("AAPL", false)]
    [InlineData("A240119C1", true)]
    [InlineData("AAPL  240119C00190000", true)]
    public void ParseOccSymbol_ShortSymbolsAreNeverOptions(string symbol, bool option) => Assert.Equal(option, UsText.ParseOccSymbol(symbol) is not null);

    [Fact]
    public void RawJson_EqualsTheSerializersObject()
    {
        var raw = new Dictionary<string, string?> { ["id"] = "1", ["symbol"] = "Ünïcode \"quoted\" <tag>", ["empty"] = null, ["column4"] = "" };
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        var first = FillStaging.RawJson(raw, writer, buffer);
        var second = FillStaging.RawJson(new Dictionary<string, string?> { ["a"] = "b" }, writer, buffer);

        Assert.Equal(JsonSerializer.Serialize(raw), first);
        Assert.Equal("""{"a":"b"}""", second);
    }
}
