using Signalbook.Features.MarketData.Import;

namespace Signalbook.Tests.Features.MarketData;

public sealed class CsvBarParserTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static ParseResult Parse(string csv, ColumnMap? map = null) => CsvBarParser.Parse(new StringReader(csv), "test.csv", NewYork, map);

    [Fact]
    public void Yahoo_DailyDates_AreMidnightNewYorkInUtc_AndOldestFirst()
    {
        var r = Parse("""
            Date,Open,High,Low,Close,Adj Close,Volume
            2024-01-03,10,11,9.5,10.5,10.4,1000
            2024-01-02,9,10.2,8.8,10,9.9,2000
            2024-07-01,12,12.5,11.8,12.2,12.1,1500
            """);
        Assert.Equal(CsvLayout.Yahoo, r.Layout);
        Assert.Empty(r.Errors);
        Assert.Equal(3, r.Bars.Count);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 5, 0, 0, TimeSpan.Zero), r.Bars[0].Ts); // EST, UTC−5
        Assert.Equal(new DateTimeOffset(2024, 7, 1, 4, 0, 0, TimeSpan.Zero), r.Bars[2].Ts); // EDT, UTC−4
        Assert.Equal(10.5, r.Bars[1].Close);
        Assert.Equal(2, r.Bars[1].Line); // the 2024-01-03 row is line 2 of the file
        Assert.False(r.WasNewestFirst);
    }

    [Fact]
    public void NewestFirstFile_IsDetected_AndReturnedOldestFirst()
    {
        var r = Parse("""
            Date,Open,High,Low,Close,Adj Close,Volume
            2024-01-05,10,11,9,10,10,1
            2024-01-04,10,11,9,10,10,1
            2024-01-03,10,11,9,10,10,1
            """);
        Assert.True(r.WasNewestFirst);
        Assert.Equal([4, 3, 2], r.Bars.Select(b => b.Line));
    }

    [Fact]
    public void Alpaca_WithUtcTimestamps_KeepsVwapAndTradeCount()
    {
        var r = Parse("""
            timestamp,open,high,low,close,volume,trade_count,vwap
            2024-03-01T14:30:00Z,100,101,99.5,100.5,12000,340,100.2
            2024-03-01T14:45:00Z,100.5,100.9,100.1,100.8,8000,,
            """);
        Assert.Equal(CsvLayout.Alpaca, r.Layout);
        Assert.Empty(r.Errors);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 14, 30, 0, TimeSpan.Zero), r.Bars[0].Ts);
        Assert.Equal(340, r.Bars[0].TradeCount);
        Assert.Equal(100.2, r.Bars[0].Vwap);
        Assert.Null(r.Bars[1].Vwap);
    }

    [Fact]
    public void BadRows_AreEachReportedWithLineAndReason_AndTheGoodRowsKept()
    {
        var r = Parse("""
            Date,Open,High,Low,Close,Adj Close,Volume
            2024-01-02,10,11,9,10.5,10.5,100
            2024-01-03,null,null,null,null,null,null
            2024-01-04,10,9,9.5,10,10,100
            2024-01-05,10,11,9,12,12,100
            2024-01-08,10,11,9,10,10,-5
            2024-01-09,0,11,9,10,10,5
            2024-01-10,abc,11,9,10,10,5
            not-a-date,10,11,9,10,10,5
            2024-01-02,10,11,9,10.5,10.5,100
            2024-01-11,10,11,9,10,10,5
            """);
        Assert.Equal(2, r.Bars.Count);
        var reasons = r.Errors.ToDictionary(e => e.Line, e => e.Reason);
        Assert.Equal([3, 4, 5, 6, 7, 8, 9, 10], reasons.Keys.Order());
        Assert.Equal("missing value in column Open", reasons[3]);
        Assert.Equal("high 9 is below low 9.5", reasons[4]);
        Assert.Equal("high 11 is below the open or close (10, 12)", reasons[5]);
        Assert.Equal("volume -5 is negative", reasons[6]);
        Assert.Equal("prices must be greater than 0", reasons[7]);
        Assert.Equal("'abc' in column Open is not a number", reasons[8]);
        Assert.Equal("'not-a-date' in column Date is not a date or time", reasons[9]);
        Assert.StartsWith("duplicate of line 2", reasons[10]);
        Assert.Equal("test.csv, line 3: missing value in column Open", r.Errors[0].ToString());
    }

    [Fact]
    public void GenericFile_WithAMapping_SemicolonsAndEuropeanDates()
    {
        var r = Parse("""
            Datum;Eröffnung;Hoch;Tief;Schluss;Stück
            31.01.2024;50;51;49;50.5;300
            01.02.2024 10:15;50.5;52;50;51;200
            """, new ColumnMap("Datum", "Eröffnung", "Hoch", "Tief", "Schluss", "Stück"));
        Assert.Equal(CsvLayout.Generic, r.Layout);
        Assert.Empty(r.Errors);
        Assert.Equal(new DateTimeOffset(2024, 1, 31, 5, 0, 0, TimeSpan.Zero), r.Bars[0].Ts);
        Assert.Equal(new DateTimeOffset(2024, 2, 1, 15, 15, 0, TimeSpan.Zero), r.Bars[1].Ts);
    }

    [Fact]
    public void UnknownHeader_WithoutMapping_IsOneClearError()
    {
        var r = Parse("when,price\n2024-01-01,5\n");
        var error = Assert.Single(r.Errors);
        Assert.Equal(1, error.Line);
        Assert.Contains("unknown header (when, price)", error.Reason);
        Assert.Empty(r.Bars);
    }

    [Theory]
    [InlineData("2024-03-10 02:30", "2024-03-10T07:30:00Z")] // a wall time skipped by the DST jump: read an hour later
    [InlineData("03/15/2024", "2024-03-15T04:00:00Z")]
    [InlineData("20240315", "2024-03-15T04:00:00Z")]
    [InlineData("1710460800", "2024-03-15T00:00:00Z")]
    [InlineData("2023-05-30 00:00:00+02:00", "2023-05-29T22:00:00Z")]
    public void Timestamps_InCommonFormats_BecomeUtc(string text, string expectedUtc)
        => Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), CsvBarParser.ParseTimestamp(text, NewYork));
}
