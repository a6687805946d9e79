using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.Portfolios;

/// <summary>The values the settings page offers for the seed's market-specific order defaults.</summary>
public static class TradingConfigChoices
{
    /// <summary>Products: CASH (a cash account, delivery), MARGIN; and the Indian brokers' CNC (delivery), MIS (intraday), NRML (derivatives).</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Products =
        [("CASH", "Cash (delivery)"), ("MARGIN", "Margin"), ("CNC", "CNC — delivery (India)"), ("MIS", "MIS — intraday (India)"), ("NRML", "NRML — derivatives (India)")];

    /// <summary>Varieties: a regular order, or an after-market order queued for the next session.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Varieties = [("REGULAR", "Regular"), ("AMO", "After-market order (next session)")];

    public static readonly IReadOnlyList<(string Value, string Label)> OrderTypes =
        [("MARKET", "Market"), ("LIMIT", "Limit"), ("STOP", "Stop"), ("STOP_LIMIT", "Stop-limit")];

    public static readonly IReadOnlyList<(string Value, string Label)> Validities = [("DAY", "Day"), ("GTC", "Good till cancelled"), ("IOC", "Immediate or cancel")];

    /// <summary>The seed's Indian exchanges, offered beside the exchanges of the instruments in the database.</summary>
    public static readonly IReadOnlyList<string> SeedExchanges = ["NSE", "BSE"];
}

/// <summary>
/// A trader's user_trading_config: read (created on first use, with order defaults that fit the exchanges the app holds
/// rather than the seed's NSE/CNC/AMO) and saved with every field validated and named in the error.
/// </summary>
public sealed class TradingConfigService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    /// <summary>The caller's config (or, for an admin, another user's), detached: the form edits it and hands it back to <see cref="SaveAsync"/>.</summary>
    public async Task<UserTradingConfig> GetAsync(TradingCaller caller, Guid? ownerId = null, CancellationToken ct = default)
    {
        var owner = ownerId ?? caller.UserId;
        caller.EnsureRead(owner, "Trading settings");
        await using var db = await factory.CreateDbContextAsync(ct);
        var existing = await db.UserTradingConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == owner, ct);
        if (existing is not null) return existing;
        return await DefaultsAsync(db, owner, ct);
    }

    /// <summary>Exchanges offered in the form: those of the instruments in the database, then the seed's.</summary>
    public async Task<IReadOnlyList<string>> ExchangesAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var mine = await db.Instruments.AsNoTracking().Select(i => i.Exchange).Distinct().OrderBy(e => e).ToListAsync(ct);
        return mine.Where(e => e.Length <= 8).Concat(TradingConfigChoices.SeedExchanges.Where(s => !mine.Contains(s))).ToList();
    }

    public async Task SaveAsync(TradingCaller caller, UserTradingConfig input, CancellationToken ct = default)
    {
        caller.EnsureTrade(input.UserId == Guid.Empty ? caller.UserId : input.UserId, "Trading settings");
        Validate(input);
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await db.UserTradingConfigs.SingleOrDefaultAsync(c => c.UserId == caller.UserId, ct);
        var now = clock.GetUtcNow();
        if (row is null)
        {
            row = new UserTradingConfig { UserId = caller.UserId, CreatedAt = now };
            db.UserTradingConfigs.Add(row);
        }
        Copy(input, row);
        row.UserId = caller.UserId;
        row.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Every rule of the form; the first broken one is thrown with its field's name.</summary>
    public static void Validate(UserTradingConfig c)
    {
        static void Range(string field, string label, double v, double min, double max)
        {
            if (double.IsNaN(v) || v < min || v > max) throw new TradingValidationException(field, $"{label} must be between {min} and {max}; got {v}.");
        }
        static void IntRange(string field, string label, int v, int min, int max)
        {
            if (v < min || v > max) throw new TradingValidationException(field, $"{label} must be between {min} and {max}; got {v}.");
        }
        IntRange(nameof(c.RsiPeriod), "RSI period", c.RsiPeriod, 2, 100);
        Range(nameof(c.RsiExtremeOversold), "Extreme oversold", c.RsiExtremeOversold, 1, 99);
        Range(nameof(c.RsiOversold), "Oversold", c.RsiOversold, 1, 99);
        Range(nameof(c.RsiNearOversold), "Near oversold", c.RsiNearOversold, 1, 99);
        if (!(c.RsiExtremeOversold <= c.RsiOversold && c.RsiOversold <= c.RsiNearOversold))
            throw new TradingValidationException(nameof(c.RsiOversold), $"RSI levels must rise: extreme oversold ({c.RsiExtremeOversold}) ≤ oversold ({c.RsiOversold}) ≤ near oversold ({c.RsiNearOversold}).");
        if (c.UserCapital <= 0 || c.UserCapital > PortfolioService.MaxCash) throw new TradingValidationException(nameof(c.UserCapital), $"Capital per trade must be greater than zero and at most {PortfolioService.MaxCash:N0}; got {c.UserCapital}.");
        IntRange(nameof(c.MaxPortfolioSize), "Max positions", c.MaxPortfolioSize, 1, 1000);
        Range(nameof(c.MaxPositionVolumeRatio), "Max share of daily volume", c.MaxPositionVolumeRatio, 0.0001, 1);
        IntRange(nameof(c.MinAbsoluteAvgVolume), "Minimum average volume", c.MinAbsoluteAvgVolume, 0, int.MaxValue);
        Range(nameof(c.ChartQualityMinScore), "Minimum chart-quality score", c.ChartQualityMinScore, 0, 100);
        Range(nameof(c.ChartQualityMaxGapFrequency), "Max gap frequency", c.ChartQualityMaxGapFrequency, 0, 100);
        Range(nameof(c.ChartQualityMinDailyRangePct), "Min daily range", c.ChartQualityMinDailyRangePct, 0, 100);
        Range(nameof(c.ChartQualityMaxExtremeCandleFrequency), "Max extreme-candle frequency", c.ChartQualityMaxExtremeCandleFrequency, 0, 100);
        foreach (var (field, label, v) in new[] { (nameof(c.DefaultStopLossPct), "Default stop-loss", c.DefaultStopLossPct), (nameof(c.TightStopLossPct), "Tight stop-loss", c.TightStopLossPct), (nameof(c.MinStopLossPct), "Minimum stop-loss", c.MinStopLossPct) })
            if (v is { } x) Range(field, label, x, 0.001, 0.9);
        Range(nameof(c.DefaultTargetPct), "Default target", c.DefaultTargetPct, 0.001, 10);
        Range(nameof(c.StrongBuyTargetPct), "Strong-buy target", c.StrongBuyTargetPct, 0.001, 10);
        Range(nameof(c.ExcellentTargetPct), "Excellent target", c.ExcellentTargetPct, 0.001, 10);
        Range(nameof(c.StrongBuyRiskReward), "Strong-buy risk-reward", c.StrongBuyRiskReward, 0.1, 100);
        Range(nameof(c.BuyRiskReward), "Buy risk-reward", c.BuyRiskReward, 0.1, 100);
        Range(nameof(c.ExcellentRiskReward), "Excellent risk-reward", c.ExcellentRiskReward, 0.1, 100);
        if (string.IsNullOrWhiteSpace(c.DefaultExchange) || c.DefaultExchange.Length > 8) throw new TradingValidationException(nameof(c.DefaultExchange), "Choose a default exchange (at most 8 characters).");
        OneOf(nameof(c.DefaultProduct), "Default product", c.DefaultProduct, TradingConfigChoices.Products);
        OneOf(nameof(c.DefaultOrderType), "Default order type", c.DefaultOrderType, TradingConfigChoices.OrderTypes);
        OneOf(nameof(c.DefaultVariety), "Default variety", c.DefaultVariety, TradingConfigChoices.Varieties);
        OneOf(nameof(c.DefaultValidity), "Default validity", c.DefaultValidity, TradingConfigChoices.Validities);
        IntRange(nameof(c.MinCombinedScore), "Minimum combined score", c.MinCombinedScore, 0, 100);
        IntRange(nameof(c.NewsSentimentLookbackDays), "News lookback", c.NewsSentimentLookbackDays, 1, 365);
        IntRange(nameof(c.NewsSentimentMinArticles), "Minimum articles", c.NewsSentimentMinArticles, 0, 1000);
        Range(nameof(c.NewsSentimentPosThreshold), "Positive sentiment threshold", c.NewsSentimentPosThreshold, -1, 1);
        Range(nameof(c.NewsSentimentNegThreshold), "Negative sentiment threshold", c.NewsSentimentNegThreshold, -1, 1);
        if (c.NewsSentimentNegThreshold >= c.NewsSentimentPosThreshold)
            throw new TradingValidationException(nameof(c.NewsSentimentNegThreshold), "The negative sentiment threshold must be below the positive one.");
        if (c.MlModelVersion is { Length: > 16 }) throw new TradingValidationException(nameof(c.MlModelVersion), "A model version has at most 16 characters.");
        Range(nameof(c.MlConfidenceThreshold), "ML confidence threshold", c.MlConfidenceThreshold, 0, 1);
        TradingSchedule.Parse(c.TaskSchedule); // throws TradingValidationException naming TaskSchedule
    }

    private static void OneOf(string field, string label, string value, IReadOnlyList<(string Value, string Label)> choices)
    {
        if (!choices.Any(x => x.Value == value))
            throw new TradingValidationException(field, $"{label} must be one of {string.Join(", ", choices.Select(x => x.Value))}; got '{value}'.");
    }

    private static async Task<UserTradingConfig> DefaultsAsync(AppDbContext db, Guid owner, CancellationToken ct)
    {
        var exchange = await db.Instruments.AsNoTracking().Where(i => i.IsActive).GroupBy(i => i.Exchange).OrderByDescending(g => g.Count())
            .Select(g => g.Key).FirstOrDefaultAsync(ct);
        var c = new UserTradingConfig { UserId = owner };
        if (exchange is { Length: <= 8 } && !TradingConfigChoices.SeedExchanges.Contains(exchange))
        {
            c.DefaultExchange = exchange;
            c.DefaultProduct = "CASH";
            c.DefaultVariety = "REGULAR";
        }
        return c;
    }

    private static void Copy(UserTradingConfig s, UserTradingConfig d)
    {
        d.RsiPeriod = s.RsiPeriod; d.RsiOversold = s.RsiOversold; d.RsiExtremeOversold = s.RsiExtremeOversold; d.RsiNearOversold = s.RsiNearOversold;
        d.UserCapital = s.UserCapital; d.MaxPortfolioSize = s.MaxPortfolioSize; d.MaxPositionVolumeRatio = s.MaxPositionVolumeRatio; d.MinAbsoluteAvgVolume = s.MinAbsoluteAvgVolume;
        d.ChartQualityEnabled = s.ChartQualityEnabled; d.ChartQualityMinScore = s.ChartQualityMinScore; d.ChartQualityMaxGapFrequency = s.ChartQualityMaxGapFrequency;
        d.ChartQualityMinDailyRangePct = s.ChartQualityMinDailyRangePct; d.ChartQualityMaxExtremeCandleFrequency = s.ChartQualityMaxExtremeCandleFrequency;
        d.DefaultStopLossPct = s.DefaultStopLossPct; d.TightStopLossPct = s.TightStopLossPct; d.MinStopLossPct = s.MinStopLossPct;
        d.DefaultTargetPct = s.DefaultTargetPct; d.StrongBuyTargetPct = s.StrongBuyTargetPct; d.ExcellentTargetPct = s.ExcellentTargetPct;
        d.StrongBuyRiskReward = s.StrongBuyRiskReward; d.BuyRiskReward = s.BuyRiskReward; d.ExcellentRiskReward = s.ExcellentRiskReward;
        d.DefaultExchange = s.DefaultExchange.Trim().ToUpperInvariant(); d.DefaultProduct = s.DefaultProduct; d.DefaultOrderType = s.DefaultOrderType;
        d.DefaultVariety = s.DefaultVariety; d.DefaultValidity = s.DefaultValidity;
        d.AllowDuplicateRecommendationsSameDay = s.AllowDuplicateRecommendationsSameDay; d.ExitOnEma9OrRsi50 = s.ExitOnEma9OrRsi50; d.MinCombinedScore = s.MinCombinedScore;
        d.NewsSentimentEnabled = s.NewsSentimentEnabled; d.NewsSentimentLookbackDays = s.NewsSentimentLookbackDays; d.NewsSentimentMinArticles = s.NewsSentimentMinArticles;
        d.NewsSentimentPosThreshold = s.NewsSentimentPosThreshold; d.NewsSentimentNegThreshold = s.NewsSentimentNegThreshold;
        d.MlEnabled = s.MlEnabled; d.MlModelVersion = string.IsNullOrWhiteSpace(s.MlModelVersion) ? null : s.MlModelVersion.Trim();
        d.MlConfidenceThreshold = s.MlConfidenceThreshold; d.MlCombineWithRules = s.MlCombineWithRules;
        d.TaskSchedule = TradingSchedule.Normalise(s.TaskSchedule);
    }
}
