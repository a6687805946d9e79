using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Signalbook.Features.Journal.Nudges;

namespace Signalbook.Features.Portfolios;

/// <summary>The timeframes a strategy can say it trades on (strategies.timeframes).</summary>
public static class StrategyTimeframes
{
    public static readonly IReadOnlyList<string> All = ["1Min", "5Min", "15Min", "1Hour", "4Hour", "1Day", "1Week"];

    /// <summary>Known timeframes in catalogue order, duplicates and unknown ones dropped.</summary>
    public static IReadOnlyList<string> Normalise(IEnumerable<string>? timeframes)
    {
        var set = new HashSet<string>(timeframes ?? [], StringComparer.OrdinalIgnoreCase);
        return All.Where(set.Contains).ToList();
    }
}

/// <summary>
/// strategies.risk_profile: a strategy's own limits where they differ from the trader's risk profile (null: the
/// profile's). Max risk per trade and min risk-reward have their own columns.
/// </summary>
public sealed record StrategyRiskOverrides
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public decimal? MaxPositionSizePct { get; init; }
    public decimal? MaxDailyLossPct { get; init; }
    public int? MaxOpenPositions { get; init; }
    public bool? StopLossRequired { get; init; }

    [JsonIgnore]
    public bool IsEmpty => MaxPositionSizePct is null && MaxDailyLossPct is null && MaxOpenPositions is null && StopLossRequired is null;

    public static StrategyRiskOverrides Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new();
        try
        {
            return JsonSerializer.Deserialize<StrategyRiskOverrides>(json, Json) ?? new();
        }
        catch (JsonException)
        {
            return new();
        }
    }
}

/// <summary>
/// The journal's side of a strategy (the trading-buddy seed's columns): which way and on which timeframes it trades, its
/// entry and exit rules in words, its own risk limits. The words also decide implied_strategy_family on save.
/// </summary>
public sealed record StrategyJournalFields
{
    public const int MaxCriteriaLength = 4000;

    public string Direction { get; init; } = StrategyDirections.Both;
    public IReadOnlyList<string> Timeframes { get; init; } = ["1Day"];
    public string? EntryCriteria { get; init; }
    public string? ExitCriteria { get; init; }
    public double? MaxRiskPct { get; init; }
    public double? MinRiskReward { get; init; }
    public StrategyRiskOverrides? RiskOverrides { get; init; }

    public static StrategyJournalFields Of(Strategy s)
    {
        ArgumentNullException.ThrowIfNull(s);
        IReadOnlyList<string> timeframes;
        try
        {
            timeframes = JsonSerializer.Deserialize<List<string>>(s.Timeframes) ?? [];
        }
        catch (JsonException)
        {
            timeframes = [];
        }
        return new StrategyJournalFields
        {
            Direction = s.Direction, Timeframes = timeframes, EntryCriteria = s.EntryCriteria, ExitCriteria = s.ExitCriteria, MaxRiskPct = s.MaxRiskPct,
            MinRiskReward = s.MinRiskReward, RiskOverrides = StrategyRiskOverrides.Read(s.RiskProfile),
        };
    }

    /// <summary>Every problem, each on its field (<see cref="StrategyFields"/>).</summary>
    public IReadOnlyList<StrategyFieldError> Validate()
    {
        var errors = new List<StrategyFieldError>();
        if (!StrategyDirections.All.Contains(Direction))
            errors.Add(new(StrategyFields.Direction, $"Choose long, short or both; got '{Direction}'."));
        var unknown = (Timeframes ?? []).Where(t => !StrategyTimeframes.All.Contains(t, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0) errors.Add(new(StrategyFields.Timeframes, $"Unknown timeframe {string.Join(", ", unknown)}; choose from {string.Join(", ", StrategyTimeframes.All)}."));
        else if (StrategyTimeframes.Normalise(Timeframes).Count == 0) errors.Add(new(StrategyFields.Timeframes, "Choose at least one timeframe."));
        if (EntryCriteria?.Trim().Length > MaxCriteriaLength)
            errors.Add(new(StrategyFields.EntryCriteria, $"The entry criteria can be at most {MaxCriteriaLength} characters; they have {EntryCriteria.Trim().Length}."));
        if (ExitCriteria?.Trim().Length > MaxCriteriaLength)
            errors.Add(new(StrategyFields.ExitCriteria, $"The exit criteria can be at most {MaxCriteriaLength} characters; they have {ExitCriteria.Trim().Length}."));
        if (MaxRiskPct is { } risk && (!double.IsFinite(risk) || risk <= 0 || risk > 100))
            errors.Add(new(StrategyFields.MaxRiskPct, $"Max risk per trade must be above 0% and at most 100%; got {N(risk)}."));
        if (MinRiskReward is { } rr && (!double.IsFinite(rr) || rr <= 0 || rr > 100))
            errors.Add(new(StrategyFields.MinRiskReward, $"Min risk-reward must be above 0 and at most 100; got {N(rr)}."));
        if (RiskOverrides is { } o)
        {
            if (o.MaxPositionSizePct is { } p && (p <= 0 || p > 100))
                errors.Add(new(StrategyFields.RiskPrefix + "max_position_size_pct", $"Max position size must be above 0% and at most 100%; got {p.ToString(CultureInfo.InvariantCulture)}."));
            if (o.MaxDailyLossPct is { } l && (l <= 0 || l > 100))
                errors.Add(new(StrategyFields.RiskPrefix + "max_daily_loss_pct", $"Max daily loss must be above 0% and at most 100%; got {l.ToString(CultureInfo.InvariantCulture)}."));
            if (o.MaxOpenPositions is { } n && n is < 1 or > 1000)
                errors.Add(new(StrategyFields.RiskPrefix + "max_open_positions", $"Max open positions must be between 1 and 1000; got {n}."));
        }
        return errors;

        static string N(double v) => v.ToString(CultureInfo.InvariantCulture);
    }
}
