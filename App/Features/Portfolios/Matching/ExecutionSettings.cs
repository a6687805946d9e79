namespace Signalbook.Features.Portfolios.Matching;

/// <summary>
/// How the paper broker executes: volume cap, commission, slippage and the limit-touch rule. Every property validates
/// as it is set (also through <c>with</c>), so an invalid settings object cannot exist: a bad value throws an
/// <see cref="ArgumentOutOfRangeException"/> (an <see cref="ArgumentException"/>) whose ParamName is the field.
/// </summary>
public sealed record ExecutionSettings
{
    /// <summary>No cap, no commission, no slippage, touch fills limits, 6.5-hour default algo window.</summary>
    public static readonly ExecutionSettings Default = new();

    private readonly decimal _maxVolumeShare;
    private readonly decimal _quantityIncrement;
    private readonly TimeSpan _defaultAlgoWindow = TimeSpan.FromHours(6.5);

    /// <summary>
    /// The most of one bar's volume a single order may take on that bar, 0–1 (0.1 = 10 %); 0 means no cap. The rest
    /// stays working (PartiallyFilled) for the next bars. A bar with zero volume then fills nothing. The cap is per order:
    /// orders do not share a bar's volume.
    /// </summary>
    public decimal MaxVolumeShare
    {
        get => _maxVolumeShare;
        init => _maxVolumeShare = value is >= 0m and <= 1m ? value : throw Bad(nameof(MaxVolumeShare), value, "must be between 0 and 1 (0 = no cap)");
    }

    public CommissionModel Commission { get; init; } = CommissionModel.None;

    public SlippageModel Slippage { get; init; } = SlippageModel.None;

    /// <summary>
    /// False (default): a limit fills when the bar touches its price (a buy limit L fills when low ≤ L). True: the bar must
    /// trade strictly through it (low &lt; L), the conservative choice when queue position is unknown; an open exactly at
    /// the limit then does not fill at the open either.
    /// </summary>
    public bool TradeThrough { get; init; }

    /// <summary>
    /// Fill quantities are rounded down to a multiple of this (1 = whole shares); 0 (default) allows any fraction. A capped
    /// or sliced fill smaller than one increment fills nothing on that bar.
    /// </summary>
    public decimal QuantityIncrement
    {
        get => _quantityIncrement;
        init => _quantityIncrement = value >= 0m ? value : throw Bad(nameof(QuantityIncrement), value, "must not be negative (0 = any fraction)");
    }

    /// <summary>
    /// The TWAP/VWAP window when the order sets no <see cref="MatchOrder.WindowEnd"/>: from the first eligible bar's start
    /// for this long (default 6.5 hours, a US regular session), and never beyond that bar's session. Callers that know the
    /// exchange's close should set WindowEnd instead.
    /// </summary>
    public TimeSpan DefaultAlgoWindow
    {
        get => _defaultAlgoWindow;
        init => _defaultAlgoWindow = value > TimeSpan.Zero ? value : throw Bad(nameof(DefaultAlgoWindow), value, "must be positive");
    }

    internal static ArgumentOutOfRangeException Bad(string field, object value, string rule) =>
        new(field, value, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{field} {rule}; got {value}."));
}

/// <summary>
/// Commission of one fill of quantity q at price p (notional N = q·p):
/// <code>
/// raw = PerShare·q + PercentOfNotional/100·N + (PerOrder if this is the order's first fill, else 0)
/// c   = max(raw, MinimumPerFill)
/// c   = min(c, MaxPercentOfNotional/100·N)      when MaxPercentOfNotional is set
/// </code>
/// Percentages are in percent: PercentOfNotional = 0.1 is 0.1 % (10 bp). The maximum is applied after the minimum, as
/// brokers do (IBKR's fixed tier: 0.005/share, minimum 1.00, maximum 1 % of trade value), so a tiny fill pays at most
/// the maximum. Nothing is rounded. Example: 100 shares at 50 with PerShare 0.005, MinimumPerFill 1 → raw 0.50 → 1.00.
/// </summary>
public sealed record CommissionModel
{
    public static readonly CommissionModel None = new();

    private readonly decimal _perShare;
    private readonly decimal _percentOfNotional;
    private readonly decimal _perOrder;
    private readonly decimal _minimumPerFill;
    private readonly decimal? _maxPercentOfNotional;

    public decimal PerShare
    {
        get => _perShare;
        init => _perShare = value >= 0m ? value : throw ExecutionSettings.Bad(nameof(PerShare), value, "must not be negative");
    }

    public decimal PercentOfNotional
    {
        get => _percentOfNotional;
        init => _percentOfNotional = value >= 0m ? value : throw ExecutionSettings.Bad(nameof(PercentOfNotional), value, "must not be negative");
    }

    /// <summary>A fixed fee per order, charged once, on the order's first fill.</summary>
    public decimal PerOrder
    {
        get => _perOrder;
        init => _perOrder = value >= 0m ? value : throw ExecutionSettings.Bad(nameof(PerOrder), value, "must not be negative");
    }

    public decimal MinimumPerFill
    {
        get => _minimumPerFill;
        init => _minimumPerFill = value >= 0m ? value : throw ExecutionSettings.Bad(nameof(MinimumPerFill), value, "must not be negative");
    }

    /// <summary>Optional cap in percent of the fill's notional (1 = 1 %); null = no cap.</summary>
    public decimal? MaxPercentOfNotional
    {
        get => _maxPercentOfNotional;
        init => _maxPercentOfNotional = value is null or >= 0m ? value : throw ExecutionSettings.Bad(nameof(MaxPercentOfNotional), value, "must not be negative");
    }

    /// <summary>The commission of one fill (see the formula on the type).</summary>
    public decimal For(decimal quantity, decimal price, bool firstFillOfOrder)
    {
        var notional = quantity * price;
        var raw = PerShare * quantity + PercentOfNotional / 100m * notional + (firstFillOfOrder ? PerOrder : 0m);
        var c = Math.Max(raw, MinimumPerFill);
        return _maxPercentOfNotional is { } max ? Math.Min(c, max / 100m * notional) : c;
    }
}

/// <summary>
/// Adverse price movement on fills that take liquidity: market orders, stops (StopLoss fills and a StopLimit's fill on
/// its trigger bar), marketable limits at the open and TWAP/VWAP slices. The move is
/// <c>price·AdverseBps/10 000 + RangeShare·(High − Low)</c>, added for a buy and subtracted for a sell, then:
/// a limit (or stop-limit) fill is never worse than its limit, and no fill is pushed outside the bar's traded range
/// (a buy above its high, a sell below its low), since nobody traded there. A limit touched inside the bar
/// fills exactly at its limit, without slippage: it was resting in the book.
/// </summary>
public sealed record SlippageModel
{
    public static readonly SlippageModel None = new();

    private readonly decimal _adverseBps;
    private readonly decimal _rangeShare;

    /// <summary>Adverse basis points of the fill price (5 = 0.05 %).</summary>
    public decimal AdverseBps
    {
        get => _adverseBps;
        init => _adverseBps = value >= 0m ? value : throw ExecutionSettings.Bad(nameof(AdverseBps), value, "must not be negative");
    }

    /// <summary>Share of the bar's range (high − low) added adversely, 0–1.</summary>
    public decimal RangeShare
    {
        get => _rangeShare;
        init => _rangeShare = value is >= 0m and <= 1m ? value : throw ExecutionSettings.Bad(nameof(RangeShare), value, "must be between 0 and 1");
    }

    public bool IsNone => _adverseBps == 0m && _rangeShare == 0m;

    /// <summary>
    /// <paramref name="price"/> moved against the <paramref name="side"/>, kept inside the bar's range (but never better than
    /// <paramref name="price"/> itself) and, when <paramref name="limit"/> is given, never worse than it.
    /// </summary>
    public decimal Apply(decimal price, OrderSide side, in MatchBar bar, decimal? limit = null)
    {
        if (IsNone) return price;
        var move = price * AdverseBps / 10_000m + RangeShare * (bar.High - bar.Low);
        if (side == OrderSide.Buy)
        {
            var p = Math.Min(price + move, Math.Max(bar.High, price));
            return limit is { } l ? Math.Min(p, Math.Max(l, price)) : p;
        }
        else
        {
            var p = Math.Max(price - move, Math.Min(bar.Low, price));
            return limit is { } l ? Math.Max(p, Math.Min(l, price)) : p;
        }
    }
}
