using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parquet;
using Parquet.Schema;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Import;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.MarketData;

/// <summary>Layouts recognised without a column mapping, and the trade-count rule.</summary>
public sealed class ImportLayoutTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static ParseResult Parse(string csv) => CsvBarParser.Parse(new StringReader(csv), "test.csv", NewYork);

    [Fact]
    public void AlpacaHourlyExport_WithFloatTradeCounts_IsAccepted_AndAFractionalCountIsRejectedWithItsLine()
    {
        // Alpaca's bars as written by pandas: trade_count went through float64, so 37 is written 37.0.
        var r = Parse("""
            timestamp,open,high,low,close,volume,trade_count,vwap
            2024-01-02 14:00:00+00:00,187.1,188.4,186.9,188.0,1200.0,37.0,187.6
            2024-01-02 15:00:00+00:00,188.0,188.5,187.5,188.2,900.0,12.0,188.1
            2024-01-02 16:00:00+00:00,188.2,188.9,188.0,188.7,700.0,8.5,188.4
            2024-01-02 17:00:00+00:00,188.7,189.0,188.1,188.3,650.0,-2.0,188.5
            """);
        Assert.Equal(CsvLayout.Alpaca, r.Layout);
        Assert.Equal([37, 12], r.Bars.Select(b => b.TradeCount!.Value));
        Assert.Equal(2, r.Errors.Count);
        Assert.Equal(4, r.Errors[0].Line);
        Assert.Equal("'8.5' in column trade_count is not a whole count (a count has no fraction)", r.Errors[0].Reason);
        Assert.Equal(5, r.Errors[1].Line);
        Assert.Contains("negative", r.Errors[1].Reason);
    }

    [Fact]
    public void YfinanceIntraday_WithOffsetsAndNoAdjClose_IsRecognised()
    {
        var r = Parse("""
            Datetime,Open,High,Low,Close,Volume
            2024-03-08 09:30:00-05:00,510.1,511.0,509.9,510.5,120000
            2024-03-08 09:45:00-05:00,510.5,511.2,510.2,511.0,90000
            2024-03-11 09:30:00-04:00,511.0,511.5,510.5,511.3,100000
            """);
        Assert.Equal(CsvLayout.Yfinance, r.Layout);
        Assert.Empty(r.Errors);
        Assert.Equal(new DateTimeOffset(2024, 3, 8, 14, 30, 0, TimeSpan.Zero), r.Bars[0].Ts);
        Assert.Equal(new DateTimeOffset(2024, 3, 11, 13, 30, 0, TimeSpan.Zero), r.Bars[2].Ts); // after the DST change
        Assert.Equal(511.3, r.Bars[2].Close);
    }

    [Theory]
    [InlineData(",Open,High,Low,Close,Volume")]
    [InlineData("\"\",Open,High,Low,Close,Volume")]
    [InlineData("Unnamed: 0,Open,High,Low,Close,Volume")]
    public void AFirstUnnamedDatetimeIndexColumn_IsTheTimestamp(string header)
    {
        var r = Parse(header + "\n2024-01-02 10:00:00+01:00,10,11,9,10.5,5\n2024-01-02 11:00:00+01:00,10.5,11,10,10.8,7\nnot-a-date,1,1,1,1,1\n");
        Assert.Equal(CsvLayout.Yfinance, r.Layout);
        Assert.Equal(2, r.Bars.Count);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 9, 0, 0, TimeSpan.Zero), r.Bars[0].Ts);
        var error = Assert.Single(r.Errors);
        Assert.Equal(4, error.Line);
        Assert.StartsWith("'not-a-date' in column ", error.Reason);
    }

    [Fact]
    public void AnUnknownHeader_StillNamesWhatIsExpected()
    {
        var r = Parse("when,price\n2024-01-02,10\n");
        var error = Assert.Single(r.Errors);
        Assert.Equal(1, error.Line);
        Assert.Contains("unknown header (when, price)", error.Reason);
        Assert.Contains("yfinance", error.Reason);
    }
}

/// <summary>Parquet bar files, written at test time with Parquet.Net, read with the same rules as CSV and imported into PostgreSQL.</summary>
public sealed class ParquetImportTests : ServiceHarness
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    /// <summary>A pandas-like file: a Date column (naive or UTC-adjusted timestamps), OHLC as doubles, volume as int64, trade_count as float.</summary>
    internal static async Task<MemoryStream> WriteAsync(DateTime[] dates, double[] open, double[] high, double[] low, double[] close, long[] volume,
        bool utc = false, double?[]? tradeCount = null, string dateName = "Date", string? adjClose = "Adj Close")
    {
        var fields = new List<DataField>
        {
            new DateTimeDataField(dateName, DateTimeFormat.Timestamp, isAdjustedToUTC: utc), new DataField<double>("Open"), new DataField<double>("High"),
            new DataField<double>("Low"), new DataField<double>("Close"),
        };
        if (adjClose is not null) fields.Add(new DataField<double>(adjClose));
        fields.Add(new DataField<long>("Volume"));
        if (tradeCount is not null) fields.Add(new DataField<double?>("trade_count"));
        var stream = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream))
        {
            using var group = writer.CreateRowGroup();
            var i = 0;
            await group.WriteAsync<DateTime>(fields[i++], dates);
            await group.WriteAsync<double>(fields[i++], open);
            await group.WriteAsync<double>(fields[i++], high);
            await group.WriteAsync<double>(fields[i++], low);
            await group.WriteAsync<double>(fields[i++], close);
            if (adjClose is not null) await group.WriteAsync<double>(fields[i++], close);
            await group.WriteAsync<long>(fields[i++], volume);
            if (tradeCount is not null) await group.WriteAsync<double>(fields[i++], tradeCount);
        }
        return new MemoryStream(stream.ToArray()); // ToArray works whether or not the writer closed the stream
    }

    private static async Task<List<(BarRow Row, RowError? Error)>> ReadAllAsync(Stream stream, TimeZoneInfo zone)
    {
        await using var reader = await ParquetBarReader.OpenAsync(stream, "f.parquet", zone);
        Assert.Null(reader.HeaderError);
        var rows = new List<(BarRow, RowError?)>();
        while (await reader.ReadAsync()) rows.Add((reader.Current, reader.CurrentError));
        return rows;
    }

    [Fact]
    public async Task NaiveDates_AreExchangeLocal_AndBadRowsAreReportedByRow()
    {
        var dates = new[] { new DateTime(2021, 1, 4), new DateTime(2021, 1, 5), new DateTime(2021, 1, 6) };
        await using var stream = await WriteAsync(dates, [10, 10, 10], [11, 9, 11], [9, 8.5, 9], [10.5, 10, 10.5], [100, 100, -5]);
        var rows = await ReadAllAsync(stream, Paris);
        Assert.Equal(3, rows.Count);
        Assert.Null(rows[0].Error);
        Assert.Equal(new DateTimeOffset(2021, 1, 3, 23, 0, 0, TimeSpan.Zero), rows[0].Row.Ts); // Paris midnight
        Assert.Equal("f.parquet, row 2: high 9 is below the open or close (10, 10)", rows[1].Error!.ToString());
        Assert.Equal("volume -5 is negative", rows[2].Error!.Reason);
    }

    [Fact]
    public async Task UtcTimestamps_AreInstants_AndFloatTradeCountsAreCounts()
    {
        var dates = new[] { new DateTime(2024, 1, 2, 14, 0, 0, DateTimeKind.Utc), new DateTime(2024, 1, 2, 15, 0, 0, DateTimeKind.Utc) };
        await using var stream = await WriteAsync(dates, [10, 10], [11, 11], [9, 9], [10.5, 10.5], [100, 100], utc: true, tradeCount: [37.0, 2.5],
            dateName: "timestamp", adjClose: null);
        var rows = await ReadAllAsync(stream, Paris);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 14, 0, 0, TimeSpan.Zero), rows[0].Row.Ts);
        Assert.Equal(37, rows[0].Row.TradeCount);
        Assert.Contains("is not a whole count", rows[1].Error!.Reason);
    }

    [Fact]
    public async Task AParquetFile_IsImported_AtItsTradingDates_WithTheSameReportAsCsv()
    {
        var id = await WithAsync<InstrumentService, long>(s => s.EnsureAsync("MC.PA", "XPAR", "Europe/Paris"));
        var dates = new[] { new DateTime(2021, 1, 4), new DateTime(2021, 1, 5), new DateTime(2021, 1, 6), new DateTime(2021, 1, 7) };
        await using var stream = await WriteAsync(dates, [10, 10, 10, 10], [11, 11, 11, 11], [9, 9, 12, 9], [10.5, 10.4, 10.3, 10.2], [100, 100, 100, 100]);
        var seen = new List<ImportProgress>();
        var report = await WithAsync<CsvImportService, ImportReport>(s => s.ImportAsync(id, Intervals.OneDay, new NonSeekable(stream), "MC.PA.parquet",
            progress: new InOrderProgress<ImportProgress>(seen.Add)));
        Assert.Equal(3, report.BarsStored);
        Assert.Equal("partial", report.Status);
        var error = Assert.Single(report.Rejected);
        Assert.Equal((3, "row"), (error.Line, error.Unit));
        Assert.Equal(new DateTimeOffset(2021, 1, 4, 0, 0, 0, TimeSpan.Zero), report.FirstBar);
        Assert.True(report.QualityReport.Has(DataQualityKind.MissingBars)); // the rejected 6 January leaves a hole
        Assert.Equal(4, seen[^1].RowsRead);
        await using var db = await DbAsync();
        Assert.Equal(3, await db.PriceBars.CountAsync(p => p.InstrumentId == id && p.Ts.Hour == 0 && p.Ts.Minute == 0));
    }

    [Fact]
    public async Task NotAParquetFile_IsRefusedWithAClearMessage_AndNothingIsStored()
    {
        var id = await WithAsync<InstrumentService, long>(s => s.EnsureAsync("BAD", "US"));
        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes("Date,Open\n2021-01-04,1\n"));
        var report = await WithAsync<CsvImportService, ImportReport>(s => s.ImportAsync(id, Intervals.OneDay, stream, "BAD.parquet"));
        Assert.Equal("failed", report.Status);
        Assert.Contains("not a readable Parquet file", Assert.Single(report.Rejected).Reason);
    }

    /// <summary>An upload stream: it cannot seek, so the import spools a Parquet file first.</summary>
    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Reports progress synchronously, in order (<see cref="Progress{T}"/> posts to the pool).</summary>
internal sealed class InOrderProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
