using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Export;
using Signalbook.Features.Journal.Stats;
using Signalbook.Features.Journal.Stats.Pages;
using Signalbook.Features.Portfolios.Pages;

namespace Signalbook.Features.Journal;

/// <summary>The journal's HTTP endpoints (beside its pages): the downloads.</summary>
public static class JournalEndpoints
{
    /// <summary>
    /// GET /journal/export/trades.csv|trades.xlsx (the statistics page's filters as query parameters: from, to, symbol,
    /// strategy, direction, tz) and /journal/export/entries.csv|entries.xlsx. Signed-in readers only (Admin, Trader,
    /// Viewer: a journal is read by its owner); each returns the caller's own rows.
    /// </summary>
    public static IEndpointRouteBuilder MapSignalbookJournal(this IEndpointRouteBuilder endpoints)
    {
        var export = endpoints.MapGroup("/journal/export").RequireAuthorization(new AuthorizeAttribute { Roles = PortfolioAccess.Readers });
        export.MapGet("/trades.csv", (HttpContext http, JournalExportService s, CancellationToken ct) =>
            FileAsync(s.TradesCsvAsync(JournalCaller.From(http.User), FilterOf(http.Request.Query), ZoneOf(http.Request.Query), ct)));
        export.MapGet("/trades.xlsx", (HttpContext http, JournalExportService s, CancellationToken ct) =>
            FileAsync(s.TradesXlsxAsync(JournalCaller.From(http.User), FilterOf(http.Request.Query), ZoneOf(http.Request.Query), ct)));
        export.MapGet("/entries.csv", (HttpContext http, JournalExportService s, CancellationToken ct) =>
            FileAsync(s.EntriesCsvAsync(JournalCaller.From(http.User), ct)));
        export.MapGet("/entries.xlsx", (HttpContext http, JournalExportService s, CancellationToken ct) =>
            FileAsync(s.EntriesXlsxAsync(JournalCaller.From(http.User), ct)));
        return endpoints;
    }

    private static async Task<IResult> FileAsync(Task<ExportFile> file)
    {
        var f = await file;
        return TypedResults.File(f.Content, f.ContentType, f.FileName);
    }

    /// <summary>The filters as the statistics page writes them; a value that does not parse is ignored.</summary>
    public static JournalFilter FilterOf(IQueryCollection query)
    {
        static DateOnly? Date(string? s) =>
            DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        return new JournalFilter
        {
            From = Date(query["from"]),
            To = Date(query["to"]),
            Symbol = string.IsNullOrWhiteSpace(query["symbol"]) ? null : query["symbol"].ToString().Trim(),
            StrategyId = long.TryParse(query["strategy"], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null,
            Direction = query["direction"].ToString() switch { "long" => CampaignDirection.Long, "short" => CampaignDirection.Short, _ => null },
        };
    }

    private static TimeZoneInfo ZoneOf(IQueryCollection query) => JournalZones.Resolve(query["tz"]);
}
