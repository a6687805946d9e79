using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Import;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.MarketData;

/// <summary>Imports of the real daily files of 88 US stocks into PostgreSQL, through the app's import path.</summary>
public sealed class CsvImportTests : ServiceHarness
{
    private static string StocknetDir => Path.Combine(SharedData.Root, "prices-daily-us", "stocknet-88-2012-2017");

    private async Task<ImportReport> ImportFileAsync(string path, string exchange = "US")
    {
        await using var scope = Scope();
        var symbol = Path.GetFileNameWithoutExtension(path);
        var id = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync(symbol, exchange);
        await using var stream = File.OpenRead(path);
        return await scope.ServiceProvider.GetRequiredService<CsvImportService>().ImportAsync(id, Intervals.OneDay, stream, Path.GetFileName(path));
    }

    [Fact]
    public async Task All88RealFiles_AreStored_AndTheNullRowsAreRejectedWithTheirLineNumbers()
    {
        var files = Directory.GetFiles(StocknetDir, "*.csv").Order().ToList();
        Assert.Equal(88, files.Count);
        var reports = new List<ImportReport>();
        foreach (var file in files) reports.Add(await ImportFileAsync(file));

        var rejected = reports.Where(r => r.Rejected.Count > 0).ToList();
        Assert.Equal(["PTR", "REX", "SNP"], rejected.Select(r => r.Symbol).Order());
        Assert.All(rejected, r =>
        {
            var error = Assert.Single(r.Rejected);
            Assert.Equal(962, error.Line);
            Assert.Equal("missing value in column Open", error.Reason);
            Assert.Equal("partial", r.Status);
        });

        var expectedRows = files.Sum(f => File.ReadLines(f).Skip(1).Count(l => !string.IsNullOrWhiteSpace(l)));
        await using var db = await DbAsync();
        Assert.Equal(expectedRows - 3, await db.PriceBars.CountAsync());
        Assert.Equal(expectedRows - 3, reports.Sum(r => r.BarsStored));
        Assert.Equal(88, await db.DataSyncLog.CountAsync());
        Assert.Equal(3, await db.DataSyncLog.CountAsync(l => l.Status == "partial"));

        // One bar read back exactly: AAPL's first row.
        var aapl = await db.Instruments.SingleAsync(i => i.Symbol == "AAPL");
        var first = await db.PriceBars.Where(p => p.InstrumentId == aapl.Id).OrderBy(p => p.Ts).FirstAsync();
        Assert.Equal(new DateTimeOffset(2012, 9, 4, 0, 0, 0, TimeSpan.Zero), first.Ts); // the daily-bar rule: 00:00 UTC of the trading date
        Assert.Equal(95.108574, first.Open);
        Assert.Equal(96.424286, first.Close);
        Assert.Equal(91973000, first.Volume);
        Assert.Equal("csv_import", first.Source);
    }

    [Fact]
    public async Task ImportingTheSameFileTwice_ChangesNothing()
    {
        var file = Path.Combine(StocknetDir, "GOOG.csv");
        var first = await ImportFileAsync(file, "TWICE");
        var second = await ImportFileAsync(file, "TWICE");
        Assert.Equal(first.BarsStored, second.BarsStored);
        await using var db = await DbAsync();
        var id = (await db.Instruments.SingleAsync(i => i.Symbol == "GOOG" && i.Exchange == "TWICE")).Id;
        Assert.Equal(first.BarsStored, await db.PriceBars.CountAsync(p => p.InstrumentId == id));
        var log = await db.DataSyncLog.Where(l => l.InstrumentId == id).OrderBy(l => l.Id).ToListAsync();
        Assert.Equal(2, log.Count);
        Assert.All(log, l => Assert.Equal(first.BarsStored, l.TotalBars));
    }

    [Fact]
    public async Task EuropeanFileWithOffsets_IsStoredAtTheTradingDateItWrites_EvenWithTheWrongZone()
    {
        var file = Path.Combine(SharedData.Root, "prices-eu-and-data-quality", "8TRA-DE-1d-missing-div-adjust-fixed.csv");
        var report = await ImportFileAsync(file, "XETRA");
        Assert.Empty(report.Rejected);
        // "2023-05-30 00:00:00+02:00" is the bar of 30 May, even though EnsureAsync gave the instrument New York's zone.
        Assert.Equal(new DateTimeOffset(2023, 5, 30, 0, 0, 0, TimeSpan.Zero), report.FirstBar);
    }

    [Fact]
    public async Task Database_RefusesABarThatBreaksTheOhlcRules()
    {
        await using var scope = Scope();
        var id = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync("CHK", "TEST");
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO price_bars (instrument_id, interval, ts, open, high, low, close, volume, source) VALUES (@i, '1Day', now(), 10, 9, 8, 10, 1, 'test')", conn);
        cmd.Parameters.AddWithValue("i", id);
        var error = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());
        Assert.Equal("ck_price_bars_high_open_close", error.ConstraintName);
    }
}
