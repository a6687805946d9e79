using System.Globalization;

namespace Signalbook.Components.Shared;

/// <summary>
/// The one way Signalbook writes an instant for people: in UTC, ISO-like, invariant culture. Pages say "UTC" once
/// (in a heading or a column title) or use <see cref="UtcTime"/>, which says it in its tooltip and markup.
/// </summary>
public static class TimeFormat
{
    public const string DateTimePattern = "yyyy-MM-dd HH:mm";
    public const string DateTimeSecondsPattern = "yyyy-MM-dd HH:mm:ss";
    public const string DatePattern = "yyyy-MM-dd";

    /// <summary>"2026-11-20 14:05" in UTC, or <paramref name="none"/>.</summary>
    public static string Utc(DateTimeOffset? value, string none = "—")
        => value is { } v ? v.UtcDateTime.ToString(DateTimePattern, CultureInfo.InvariantCulture) : none;

    /// <summary>"2026-11-20 14:05:09" in UTC, or <paramref name="none"/>.</summary>
    public static string UtcSeconds(DateTimeOffset? value, string none = "—")
        => value is { } v ? v.UtcDateTime.ToString(DateTimeSecondsPattern, CultureInfo.InvariantCulture) : none;

    /// <summary>The UTC calendar date, "2026-11-20".</summary>
    public static string UtcDate(DateTimeOffset? value, string none = "—")
        => value is { } v ? v.UtcDateTime.ToString(DatePattern, CultureInfo.InvariantCulture) : none;

    /// <summary>A calendar date (a trading date, a birthday) as "2026-11-20": no time zone involved.</summary>
    public static string Date(DateOnly? value, string none = "—")
        => value is { } v ? v.ToString(DatePattern, CultureInfo.InvariantCulture) : none;

    /// <summary>"3 min ago", "in 2 h", "just now": for recent and upcoming instants relative to <paramref name="now"/>.</summary>
    public static string Relative(DateTimeOffset value, DateTimeOffset now)
    {
        var delta = value - now;
        var future = delta > TimeSpan.Zero;
        var span = delta.Duration();
        string amount;
        if (span < TimeSpan.FromSeconds(45)) return "just now";
        if (span < TimeSpan.FromMinutes(90)) amount = $"{Math.Max(1, (int)Math.Round(span.TotalMinutes))} min";
        else if (span < TimeSpan.FromHours(36)) amount = $"{(int)Math.Round(span.TotalHours)} h";
        else amount = $"{(int)Math.Round(span.TotalDays)} d";
        return future ? $"in {amount}" : $"{amount} ago";
    }

    /// <summary>A duration the way a job list wants it: "850 ms", "12.4 s", "3 min 05 s", "2 h 10 min".</summary>
    public static string Duration(double? seconds, string none = "—")
    {
        if (seconds is not { } s || double.IsNaN(s)) return none;
        if (s < 1) return $"{s * 1000:0} ms";
        if (s < 60) return string.Create(CultureInfo.InvariantCulture, $"{s:0.0} s");
        if (s < 3600) return $"{(int)(s / 60)} min {(int)(s % 60):00} s";
        return $"{(int)(s / 3600)} h {(int)(s % 3600 / 60):00} min";
    }
}
