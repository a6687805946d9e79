using System.Globalization;
using System.Text.Json;
using ClosedXML.Excel;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Stats;
using Signalbook.Features.Portfolios;

namespace Signalbook.Features.Journal.Export;

/// <summary>A campaign as exported: its stored figures (campaign_summaries) with its strategy's name. Open campaigns have no close.</summary>
public sealed record TradeExportRow(
    long GroupId, string Symbol, string AssetType, string Direction, DateTimeOffset OpenedAt, DateTimeOffset? ClosedAt, decimal EntryAverage,
    decimal? ExitAverage, decimal MaxPosition, decimal OpenQuantity, decimal RealisedPnl, double? ReturnPct, decimal Fees, double? RMultiple,
    decimal? Mae, decimal? Mfe, int FillCount, string Currency, string? Strategy, string? Regime);

/// <summary>A journal entry as exported; <see cref="Tags"/> are the entry's tags in their order.</summary>
public sealed record EntryExportRow(long Id, DateOnly Date, string EntryType, string? TradeId, string? Mood, IReadOnlyList<string> Tags, string Content,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A file to download.</summary>
public sealed record ExportFile(byte[] Content, string ContentType, string FileName);

/// <summary>
/// The caller's trades (campaigns with their figures) and journal entries as CSV (RFC 4180, UTF-8, invariant numbers,
/// instants in ISO 8601 UTC, text that a spreadsheet would run as a formula escaped) and as Excel workbooks. Only the
/// caller's own rows are read. Trades follow <see cref="JournalFilter"/> as the statistics do, except that open
/// campaigns are included unless a date range (which is of close days) is given.
/// </summary>
public sealed class JournalExportService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    public const string CsvType = "text/csv; charset=utf-8";
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static readonly string[] TradeColumns =
    [
        "group_id", "symbol", "asset_type", "direction", "opened_at_utc", "closed_at_utc", "entry_average", "exit_average", "max_position",
        "open_quantity", "realised_pnl", "return_pct", "fees", "r_multiple", "mae", "mfe", "fill_count", "currency", "strategy", "regime",
    ];

    public static readonly string[] EntryColumns = ["id", "date", "entry_type", "trade_id", "mood", "tags", "content", "created_at_utc", "updated_at_utc"];

    private static readonly CsvWriterOptions Csv = CsvWriterOptions.Default with
    {
        FormatProvider = CultureInfo.InvariantCulture,
        Injection = CsvInjection.Escape,
    };

    public async Task<IReadOnlyList<TradeExportRow>> TradesAsync(JournalCaller caller, JournalFilter filter, TimeZoneInfo zone, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows =
            from s in db.CampaignSummaries.AsNoTracking().Where(s => s.UserId == caller.UserId)
            join d in db.DecisionContexts.Where(d => d.UserId == caller.UserId) on s.GroupId equals d.FillId into dj
            from d in dj.DefaultIfEmpty()
            let strategyId = s.StrategyId ?? (d == null ? null : d.StrategyId)
            join st in db.Strategies.Where(st => st.UserId == caller.UserId) on strategyId equals (long?)st.Id into sj
            from st in sj.DefaultIfEmpty()
            select new { s, strategyId, Strategy = st == null ? null : st.Name };
        if (filter.From is { } from)
        {
            var start = JournalStatsService.LocalMidnightUtc(from, zone);
            rows = rows.Where(r => r.s.ClosedAt >= start);
        }
        if (filter.To is { } to)
        {
            var end = JournalStatsService.LocalMidnightUtc(to.AddDays(1), zone);
            rows = rows.Where(r => r.s.ClosedAt < end);
        }
        if (!string.IsNullOrWhiteSpace(filter.Symbol))
        {
            var symbol = filter.Symbol.Trim().ToUpperInvariant();
            rows = rows.Where(r => r.s.Symbol.ToUpper() == symbol);
        }
        if (filter.StrategyId is { } strategy) rows = rows.Where(r => r.strategyId == strategy);
        if (filter.Direction is { } direction)
        {
            var name = TradingNames.ToDb(direction);
            rows = rows.Where(r => r.s.Direction == name);
        }
        if (filter.AssetType is { } asset) rows = rows.Where(r => r.s.AssetType == asset);
        var list = await rows.OrderBy(r => r.s.OpenedAt).ThenBy(r => r.s.GroupId)
            .Select(r => new
            {
                r.s.GroupId, r.s.Symbol, r.s.AssetType, r.s.Direction, r.s.OpenedAt, r.s.ClosedAt, r.s.EntryAverage, r.s.ExitAverage, r.s.MaxPosition,
                r.s.OpenQuantity, r.s.RealisedPnl, r.s.ReturnPct, r.s.Fees, r.s.RMultiple, r.s.Mae, r.s.Mfe, r.s.FillCount, r.s.Currency, r.Strategy, r.s.Regime,
            })
            .ToListAsync(ct);
        return list.Select(r => new TradeExportRow(r.GroupId, r.Symbol, TradingNames.ToDb(r.AssetType), r.Direction, r.OpenedAt, r.ClosedAt, r.EntryAverage,
            r.ExitAverage, r.MaxPosition, r.OpenQuantity, r.RealisedPnl, r.ReturnPct, r.Fees, r.RMultiple, r.Mae, r.Mfe, r.FillCount, r.Currency, r.Strategy,
            r.Regime)).ToList();
    }

    public async Task<IReadOnlyList<EntryExportRow>> EntriesAsync(JournalCaller caller, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await factory.CreateDbContextAsync(ct);
        var list = await db.JournalEntries.AsNoTracking().Where(e => e.UserId == caller.UserId).OrderBy(e => e.Date).ThenBy(e => e.Id)
            .Select(e => new { e.Id, e.Date, e.EntryType, e.TradeId, e.Mood, e.Tags, e.Content, e.CreatedAt, e.UpdatedAt })
            .ToListAsync(ct);
        return list.Select(e => new EntryExportRow(e.Id, e.Date, e.EntryType, e.TradeId, e.Mood, ParseTags(e.Tags), e.Content, e.CreatedAt, e.UpdatedAt)).ToList();
    }

    public async Task<ExportFile> TradesCsvAsync(JournalCaller caller, JournalFilter filter, TimeZoneInfo zone, CancellationToken ct = default) =>
        new(WriteTradesCsv(await TradesAsync(caller, filter, zone, ct)), CsvType, FileName("trades", "csv"));

    public async Task<ExportFile> TradesXlsxAsync(JournalCaller caller, JournalFilter filter, TimeZoneInfo zone, CancellationToken ct = default) =>
        new(WriteTradesXlsx(await TradesAsync(caller, filter, zone, ct)), XlsxType, FileName("trades", "xlsx"));

    public async Task<ExportFile> EntriesCsvAsync(JournalCaller caller, CancellationToken ct = default) =>
        new(WriteEntriesCsv(await EntriesAsync(caller, ct)), CsvType, FileName("journal-entries", "csv"));

    public async Task<ExportFile> EntriesXlsxAsync(JournalCaller caller, CancellationToken ct = default) =>
        new(WriteEntriesXlsx(await EntriesAsync(caller, ct)), XlsxType, FileName("journal-entries", "xlsx"));

    public static byte[] WriteTradesCsv(IReadOnlyList<TradeExportRow> rows)
    {
        using var stream = new MemoryStream();
        using (var csv = CsvWriter.Create(stream, Csv, leaveOpen: true))
        {
            csv.WriteHeader(TradeColumns);
            foreach (var r in rows)
            {
                csv.WriteField(r.GroupId, "");
                csv.WriteField(r.Symbol);
                csv.WriteField(r.AssetType);
                csv.WriteField(r.Direction);
                csv.WriteField(r.OpenedAt.ToUniversalTime(), "");
                WriteNullable(csv, r.ClosedAt?.ToUniversalTime());
                csv.WriteField(r.EntryAverage, "");
                WriteNullable(csv, r.ExitAverage);
                csv.WriteField(r.MaxPosition, "");
                csv.WriteField(r.OpenQuantity, "");
                csv.WriteField(r.RealisedPnl, "");
                WriteNullable(csv, r.ReturnPct);
                csv.WriteField(r.Fees, "");
                WriteNullable(csv, r.RMultiple);
                WriteNullable(csv, r.Mae);
                WriteNullable(csv, r.Mfe);
                csv.WriteField(r.FillCount, "");
                csv.WriteField(r.Currency);
                csv.WriteField(r.Strategy);
                csv.WriteField(r.Regime);
                csv.EndRecord();
            }
        }
        return stream.ToArray();
    }

    public static byte[] WriteEntriesCsv(IReadOnlyList<EntryExportRow> rows)
    {
        using var stream = new MemoryStream();
        using (var csv = CsvWriter.Create(stream, Csv, leaveOpen: true))
        {
            csv.WriteHeader(EntryColumns);
            foreach (var e in rows)
            {
                csv.WriteField(e.Id, "");
                csv.WriteField(e.Date, "");
                csv.WriteField(e.EntryType);
                csv.WriteField(e.TradeId);
                csv.WriteField(e.Mood);
                csv.WriteField(string.Join("; ", e.Tags));
                csv.WriteField(e.Content);
                csv.WriteField(e.CreatedAt.ToUniversalTime(), "");
                csv.WriteField(e.UpdatedAt.ToUniversalTime(), "");
                csv.EndRecord();
            }
        }
        return stream.ToArray();
    }

    public static byte[] WriteTradesXlsx(IReadOnlyList<TradeExportRow> rows)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.Worksheets.Add("Trades");
        Header(sheet, TradeColumns);
        var row = 2;
        foreach (var r in rows)
        {
            var c = 1;
            sheet.Cell(row, c++).SetValue(r.GroupId);
            sheet.Cell(row, c++).SetValue(r.Symbol);
            sheet.Cell(row, c++).SetValue(r.AssetType);
            sheet.Cell(row, c++).SetValue(r.Direction);
            Date(sheet.Cell(row, c++), r.OpenedAt);
            Date(sheet.Cell(row, c++), r.ClosedAt);
            Number(sheet.Cell(row, c++), r.EntryAverage);
            Number(sheet.Cell(row, c++), r.ExitAverage);
            Number(sheet.Cell(row, c++), r.MaxPosition);
            Number(sheet.Cell(row, c++), r.OpenQuantity);
            Number(sheet.Cell(row, c++), r.RealisedPnl);
            Number(sheet.Cell(row, c++), r.ReturnPct);
            Number(sheet.Cell(row, c++), r.Fees);
            Number(sheet.Cell(row, c++), r.RMultiple);
            Number(sheet.Cell(row, c++), r.Mae);
            Number(sheet.Cell(row, c++), r.Mfe);
            sheet.Cell(row, c++).SetValue(r.FillCount);
            sheet.Cell(row, c++).SetValue(r.Currency);
            Text(sheet.Cell(row, c++), r.Strategy);
            Text(sheet.Cell(row, c), r.Regime);
            row++;
        }
        return Save(workbook);
    }

    public static byte[] WriteEntriesXlsx(IReadOnlyList<EntryExportRow> rows)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.Worksheets.Add("Journal entries");
        Header(sheet, EntryColumns);
        var row = 2;
        foreach (var e in rows)
        {
            sheet.Cell(row, 1).SetValue(e.Id);
            sheet.Cell(row, 2).SetValue(e.Date.ToDateTime(TimeOnly.MinValue));
            sheet.Cell(row, 2).Style.DateFormat.Format = "yyyy-mm-dd";
            sheet.Cell(row, 3).SetValue(e.EntryType);
            Text(sheet.Cell(row, 4), e.TradeId);
            Text(sheet.Cell(row, 5), e.Mood);
            Text(sheet.Cell(row, 6), string.Join("; ", e.Tags));
            Text(sheet.Cell(row, 7), e.Content);
            Date(sheet.Cell(row, 8), e.CreatedAt);
            Date(sheet.Cell(row, 9), e.UpdatedAt);
            row++;
        }
        sheet.Column(7).Width = 80;
        return Save(workbook);
    }

    private string FileName(string what, string extension) =>
        $"signalbook-{what}-{clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.{extension}";

    private static IReadOnlyList<string> ParseTags(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Array
                ? doc.RootElement.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToList()
                : [];
        }
        catch (JsonException)
        {
            return []; // the column is checked to be an array; anything else is not a tag list
        }
    }

    private static void WriteNullable<T>(CsvWriter csv, T? value) where T : struct, IUtf8SpanFormattable
    {
        if (value is { } v) csv.WriteField(v, "");
        else csv.WriteField((string?)null);
    }

    private static void Header(IXLWorksheet sheet, string[] columns)
    {
        for (var i = 0; i < columns.Length; i++)
        {
            sheet.Cell(1, i + 1).SetValue(columns[i]);
            sheet.Column(i + 1).Width = Math.Max(12, columns[i].Length + 2); // fixed widths: AdjustToContents needs System.Drawing
        }
        sheet.Row(1).Style.Font.Bold = true;
        sheet.SheetView.FreezeRows(1);
    }

    private static void Date(IXLCell cell, DateTimeOffset? value)
    {
        if (value is not { } v) return;
        cell.SetValue(DateTime.SpecifyKind(v.UtcDateTime, DateTimeKind.Unspecified));
        cell.Style.DateFormat.Format = "yyyy-mm-dd hh:mm:ss";
    }

    private static void Number(IXLCell cell, decimal? value)
    {
        if (value is { } v) cell.SetValue(v);
    }

    private static void Number(IXLCell cell, double? value)
    {
        if (value is { } v && double.IsFinite(v)) cell.SetValue(v);
    }

    private static void Text(IXLCell cell, string? value)
    {
        // SetValue<string> keeps text as text (no formula, no number guessing).
        if (!string.IsNullOrEmpty(value)) cell.SetValue(value);
    }

    private static byte[] Save(XLWorkbook workbook)
    {
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }
}
