using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.MarketData.Import;

/// <summary>What an import did, in words a person can act on.</summary>
public sealed record ImportReport(string File, string Symbol, CsvLayout Layout, int RowsRead, int BarsStored, IReadOnlyList<RowError> Rejected,
    DateTimeOffset? FirstBar, DateTimeOffset? LastBar, bool WasNewestFirst)
{
    /// <summary>success: every row stored; partial: some rows rejected; failed: nothing stored.</summary>
    public string Status => BarsStored == 0 ? "failed" : Rejected.Count > 0 ? "partial" : "success";

    public string Summary => Status switch
    {
        "success" => $"{File}: all {BarsStored} bars stored for {Symbol}.",
        "partial" => $"{File}: {BarsStored} bars stored for {Symbol}; {Rejected.Count} row(s) rejected and not stored (listed with their line numbers).",
        _ => $"{File}: nothing stored for {Symbol}; {Rejected.Count} row(s) rejected.",
    };
}

/// <summary>
/// Imports a bar file for one instrument: parse and validate every row, store all valid bars in one
/// transaction (through <see cref="PriceBarWriter"/>), and record the run in <c>data_sync_log</c>.
/// The valid rows are all stored, or none if the write fails; rejected rows are reported, not stored.
/// </summary>
public sealed class CsvImportService(IDbContextFactory<AppDbContext> factory, PriceBarWriter writer, TimeProvider clock)
{
    public async Task<ImportReport> ImportAsync(long instrumentId, string interval, Stream csv, string fileName, ColumnMap? map = null,
        CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var instrument = await db.Instruments.AsNoTracking().SingleOrDefaultAsync(i => i.Id == instrumentId, ct)
                         ?? throw new ArgumentException($"Instrument {instrumentId} does not exist.", nameof(instrumentId));
        var zone = TimeZoneInfo.FindSystemTimeZoneById(instrument.TimeZone);

        using var reader = new StreamReader(csv, detectEncodingFromByteOrderMarks: true);
        var parsed = CsvBarParser.Parse(reader, fileName, zone, map);
        var log = new DataSyncLog { InstrumentId = instrumentId, Interval = interval, LastSyncAt = clock.GetUtcNow() };
        var stored = 0;
        try
        {
            stored = parsed.Bars.Count == 0 ? 0 : await writer.UpsertAsync(instrumentId, interval, parsed.Bars, "csv_import", ct);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException)
        {
            log.Status = "failed";
            log.ErrorMessage = $"{fileName}: the database refused the import, nothing was stored: {ex.Message}";
            db.DataSyncLog.Add(log);
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }

        var report = new ImportReport(fileName, instrument.Symbol, parsed.Layout, parsed.Bars.Count + parsed.Errors.Count, stored, parsed.Errors,
            parsed.Bars.Count > 0 ? parsed.Bars[0].Ts : null, parsed.Bars.Count > 0 ? parsed.Bars[^1].Ts : null, parsed.WasNewestFirst);
        var totals = await db.PriceBars.Where(p => p.InstrumentId == instrumentId && p.Interval == interval)
            .GroupBy(_ => 1).Select(g => new { Count = g.Count(), First = g.Min(p => p.Ts), Last = g.Max(p => p.Ts) }).SingleOrDefaultAsync(ct);
        log.Status = report.Status;
        log.BarsFetched = stored;
        log.TotalBars = totals?.Count ?? 0;
        log.FirstSyncedTs = totals?.First;
        log.LastSyncedTs = totals?.Last;
        log.ErrorMessage = parsed.Errors.Count == 0 ? null : string.Join("\n", parsed.Errors.Take(50)) + (parsed.Errors.Count > 50 ? $"\n… and {parsed.Errors.Count - 50} more" : "");
        db.DataSyncLog.Add(log);
        await db.SaveChangesAsync(ct);
        return report;
    }
}
