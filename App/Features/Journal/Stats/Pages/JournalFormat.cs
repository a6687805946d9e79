using System.Globalization;

namespace Signalbook.Features.Journal.Stats.Pages;

/// <summary>
/// How the journal's pages write money, R and rates: invariant culture, a sign on P&amp;L, the currency's symbol when all
/// the campaigns shown share one currency (no symbol when they mix, as their amounts are summed unconverted).
/// </summary>
public static class JournalFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Symbol(string? currency) => currency switch
    {
        null => "",
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        _ => currency + " ",
    };

    /// <summary>"+$340", "−$1,250" (whole units, for the calendar's cells and labels).</summary>
    public static string SignedWhole(decimal value, string? currency) =>
        $"{(value > 0 ? "+" : value < 0 ? "−" : "")}{Symbol(currency)}{Math.Abs(Math.Round(value, 0, MidpointRounding.AwayFromZero)).ToString("#,##0", Inv)}";

    /// <summary>"+$340.25", "−$12.00".</summary>
    public static string Signed(decimal? value, string? currency) => value is { } v
        ? $"{(v > 0 ? "+" : v < 0 ? "−" : "")}{Symbol(currency)}{Math.Abs(v).ToString("#,##0.00", Inv)}"
        : "—";

    /// <summary>"$12.00" (fees).</summary>
    public static string Money(decimal? value, string? currency) => value is { } v ? $"{(v < 0 ? "−" : "")}{Symbol(currency)}{Math.Abs(v).ToString("#,##0.00", Inv)}" : "—";

    public static string Percent(decimal? value) => value is { } v ? v.ToString("0.#", Inv) + "%" : "—";

    public static string R(decimal? value) => value is { } v ? $"{(v > 0 ? "+" : v < 0 ? "−" : "")}{Math.Abs(v).ToString("0.00", Inv)}R" : "—";

    public static string Ratio(decimal? value) => value is { } v ? v.ToString("0.00", Inv) : "—";

    public static string Trades(int count) => count == 1 ? "1 trade" : $"{count.ToString("N0", Inv)} trades";

    /// <summary>"12 March".</summary>
    public static string DayMonth(DateOnly day) => day.ToString("d MMMM", Inv);

    public static string MonthYear(int year, int month) => new DateOnly(year, month, 1).ToString("MMMM yyyy", Inv);

    public static string Tone(decimal value) => value > 0 ? "sb-up" : value < 0 ? "sb-down" : "";
}

/// <summary>
/// The zone the journal's days are counted in. Signalbook does not store a user's time zone, so the pages take it from
/// the <c>tz</c> query parameter (an IANA name), default UTC, and carry it in their links.
/// </summary>
public static class JournalZones
{
    public const string Default = "UTC";

    /// <summary>The zones offered in the picker (any other valid IANA name in the URL is shown too).</summary>
    public static readonly IReadOnlyList<string> Common =
    [
        "UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo", "Europe/London",
        "Europe/Paris", "Europe/Berlin", "Europe/Zurich", "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore",
        "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
    ];

    /// <summary>The zone named, or UTC when the name is missing or unknown.</summary>
    public static TimeZoneInfo Resolve(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>The name to show and put in links: the zone's id as given, "UTC" for UTC.</summary>
    public static string Name(TimeZoneInfo zone) => zone == TimeZoneInfo.Utc || zone.Id is "Etc/UTC" or "UTC" ? Default : zone.Id;

    public static IReadOnlyList<string> Options(string current) => Common.Contains(current) ? Common : [current, .. Common];

    /// <summary>The signed-in trader's own zone (Settings → Trading rules), UTC when unset: the default when the URL names none.</summary>
    public static async Task<TimeZoneInfo> OfTraderAsync(Signalbook.Features.Users.CurrentUser user, Signalbook.Features.Users.UserSettingsService settings, CancellationToken ct)
        => await user.IdAsync() is { } id ? Signalbook.Features.Users.UserSettingsService.ZoneOf((await settings.GetTradingAsync(id, ct)).Profile) : TimeZoneInfo.Utc;
}
