namespace Signalbook.Features.Portfolios;

// The trading-ai seed's enumerations. In C# they are enums (the matching engine and the P&L kernels switch on them
// in tight loops); in the database they are the seed's snake_case strings with check constraints (TradingNames).

public enum OrderSide
{
    Buy,
    Sell,
}

/// <summary>stop_loss is a stop (market) order: it becomes a market order when the stop price trades.</summary>
public enum OrderType
{
    Market,
    Limit,
    StopLoss,
    StopLimit,
    Twap,
    Vwap,
}

/// <summary>pending → open → partially_filled / filled / cancelled / rejected.</summary>
public enum OrderStatus
{
    Pending,
    Open,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
}

/// <summary>day orders expire at the end of the session they were placed for; gtc orders stay until filled or cancelled.</summary>
public enum TimeInForce
{
    Day,
    Gtc,
}

/// <summary>The trading-ai seed's strategy types plus our own follow_model and chart_quality.</summary>
public enum StrategyType
{
    GridTrading,
    Dca,
    Momentum,
    MeanReversion,
    FollowModel,
    ChartQuality,
    StatisticalArbitrage,
    MarketMaking,
    WhaleFollowing,
    LiquidationHunting,
    YieldOptimization,
}

/// <summary>Database names of the trading enumerations (snake_case, as the seed spells them).</summary>
public static class TradingNames
{
    public static string ToDb<T>(T value) where T : struct, Enum => Cache<T>.Names[Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)];

    public static T Parse<T>(string name) where T : struct, Enum =>
        Cache<T>.ByName.TryGetValue(name, out var v) ? v : throw new FormatException($"'{name}' is not a {typeof(T).Name}; expected one of {string.Join(", ", Cache<T>.Names)}.");

    public static bool TryParse<T>(string? name, out T value) where T : struct, Enum
    {
        if (name is not null && Cache<T>.ByName.TryGetValue(name, out value))
        {
            return true;
        }
        value = default;
        return false;
    }

    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Cache<T>.Names;

    /// <summary>A SQL check constraint body: column IN ('a', 'b', …).</summary>
    public static string CheckIn<T>(string column) where T : struct, Enum =>
        $"{column} IN ({string.Join(", ", Cache<T>.Names.Select(n => $"'{n}'"))})";

    private static class Cache<T> where T : struct, Enum
    {
        public static readonly string[] Names = Enum.GetValues<T>().Select(v => Snake(v.ToString())).ToArray();
        public static readonly Dictionary<string, T> ByName = Enum.GetValues<T>().ToDictionary(v => Snake(v.ToString()), StringComparer.Ordinal);
    }

    private static string Snake(string pascal)
    {
        var sb = new System.Text.StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0)
            {
                sb.Append('_');
            }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
