namespace Signalbook.Features.Portfolios;

/// <summary>
/// A trader's trading settings: every column of the multi-user seed's user_trading_config, with its defaults.
/// The seed's order defaults are Indian-market values (NSE, CNC, AMO); the columns and database defaults are kept, and
/// the settings page offers the values that fit the user's own exchanges (<see cref="TradingConfigChoices"/>).
/// </summary>
public sealed class UserTradingConfig
{
    public long Id { get; set; }
    public Guid UserId { get; set; }

    // Strategy parameters (mean-reversion RSI rules)
    public int RsiPeriod { get; set; } = 10;
    public double RsiOversold { get; set; } = 30.0;
    public double RsiExtremeOversold { get; set; } = 20.0;
    public double RsiNearOversold { get; set; } = 40.0;

    // Capital and position management
    /// <summary>Capital per trade.</summary>
    public decimal UserCapital { get; set; } = 200000m;
    /// <summary>Most positions held at once.</summary>
    public int MaxPortfolioSize { get; set; } = 6;
    /// <summary>Largest position as a share of the average daily volume.</summary>
    public double MaxPositionVolumeRatio { get; set; } = 0.10;
    public int MinAbsoluteAvgVolume { get; set; } = 10000;

    // Chart quality filters
    public bool ChartQualityEnabled { get; set; } = true;
    public double ChartQualityMinScore { get; set; } = 50.0;
    public double ChartQualityMaxGapFrequency { get; set; } = 25.0;
    public double ChartQualityMinDailyRangePct { get; set; } = 1.0;
    public double ChartQualityMaxExtremeCandleFrequency { get; set; } = 20.0;

    // Risk management (stop-loss percentages are optional)
    public double? DefaultStopLossPct { get; set; }
    public double? TightStopLossPct { get; set; }
    public double? MinStopLossPct { get; set; }
    public double DefaultTargetPct { get; set; } = 0.10;
    public double StrongBuyTargetPct { get; set; } = 0.12;
    public double ExcellentTargetPct { get; set; } = 0.15;

    // Risk-reward ratios
    public double StrongBuyRiskReward { get; set; } = 3.0;
    public double BuyRiskReward { get; set; } = 2.5;
    public double ExcellentRiskReward { get; set; } = 3.5;

    // Order defaults
    public string DefaultExchange { get; set; } = "NSE";
    public string DefaultProduct { get; set; } = "CNC";
    public string DefaultOrderType { get; set; } = "MARKET";
    public string DefaultVariety { get; set; } = "AMO";
    public string DefaultValidity { get; set; } = "DAY";

    // Behaviour toggles
    public bool AllowDuplicateRecommendationsSameDay { get; set; }
    public bool ExitOnEma9OrRsi50 { get; set; } = true;
    public int MinCombinedScore { get; set; } = 25;

    // News sentiment
    public bool NewsSentimentEnabled { get; set; } = true;
    public int NewsSentimentLookbackDays { get; set; } = 30;
    public int NewsSentimentMinArticles { get; set; } = 2;
    public double NewsSentimentPosThreshold { get; set; } = 0.25;
    public double NewsSentimentNegThreshold { get; set; } = -0.25;

    // ML configuration
    public bool MlEnabled { get; set; }
    /// <summary>A model version, or null for the active model.</summary>
    public string? MlModelVersion { get; set; }
    public double MlConfidenceThreshold { get; set; } = 0.5;
    public bool MlCombineWithRules { get; set; } = true;

    /// <summary>Custom task timing (jsonb), e.g. {"evaluate": "30 22 * * 1-5", "time_zone": "America/New_York"}.</summary>
    public string? TaskSchedule { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
