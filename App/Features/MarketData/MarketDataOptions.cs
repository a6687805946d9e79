using System.ComponentModel.DataAnnotations;

namespace Signalbook.Features.MarketData;

/// <summary>Which provider serves market data (section <c>MarketData</c>): <c>demo</c> (default) or <c>alpaca</c>.</summary>
public sealed class MarketDataOptions
{
    public const string Section = "MarketData";

    [Required, RegularExpression("^(demo|alpaca)$", ErrorMessage = "MarketData:Provider must be demo or alpaca.")]
    public string Provider { get; set; } = "demo";
}

/// <summary>
/// How far back bars are kept (section <c>MarketData:Retention</c>): intraday bars for a rolling number of
/// days, daily bars for a number of years. Sync fetches back to the same horizon, so it never fetches
/// what retention would delete.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "MarketData:Retention";

    [Range(1, 3650)] public int IntradayDays { get; set; } = 30;
    [Range(1, 100)] public int DailyYears { get; set; } = 8;

    /// <summary>The oldest bar time kept for an interval at <paramref name="now"/>.</summary>
    public DateTimeOffset Horizon(string interval, DateTimeOffset now) =>
        interval == Intervals.OneDay ? now.AddYears(-DailyYears) : now.AddDays(-IntradayDays);
}
