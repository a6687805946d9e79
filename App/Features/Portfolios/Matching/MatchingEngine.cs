using System.Buffers;
using System.Globalization;

namespace Signalbook.Features.Portfolios.Matching;

/// <summary>
/// The paper broker's matching engine: a pure kernel over OHLCV bars (no I/O, no clock, no DI). It fills one order at a
/// time against the bars of its instrument; orders do not interact (each may take its own volume-cap share of a bar).
/// <para><b>Rules</b> (buy side; a sell mirrors every comparison):</para>
/// <list type="bullet">
/// <item><b>No look-ahead.</b> A bar whose <see cref="MatchBar.Start"/> is before the order's <see cref="MatchOrder.PlacedAt"/>
/// is never used for it (nor, for TWAP/VWAP, one before <see cref="MatchOrder.WindowStart"/>). An order placed during a
/// session therefore first trades at the next intraday bar, or on daily bars at the next session's open.</item>
/// <item><b>Market</b>: fills at the open of the first eligible bar, plus slippage.</item>
/// <item><b>Limit</b> L: open ≤ L → fills at the open (price improvement; slippage may apply but never beyond L);
/// else low ≤ L → fills at exactly L. With <see cref="ExecutionSettings.TradeThrough"/> both comparisons are strict.</item>
/// <item><b>Stop (StopLoss)</b> S: open ≥ S → the bar gapped through the stop: fills at the open plus slippage; else high ≥ S →
/// fills at S plus slippage. Once triggered (<see cref="MatchOrder.StopTriggered"/>) a remainder left by the volume cap is a
/// market order: it fills at the next bars' opens.</item>
/// <item><b>Stop-limit</b> S/L: triggers like a stop. On the trigger bar it fills only at its trigger price — the open when it
/// gapped through S, otherwise S itself — and only if that price satisfies the limit (≤ L; &lt; L with trade-through), plus
/// slippage capped at L. Otherwise it stays triggered and works as a plain limit from the next bar. This is the conservative
/// reading of a bar: we do not know whether the bar's low came before or after the trigger, so we never assume the price
/// came back to the limit within the trigger bar (a gap beyond the limit therefore never fills on that bar).</item>
/// <item><b>Time in force.</b> A Day order lives for the session of its first eligible bar (<see cref="MatchBar.SessionDate"/>):
/// on daily bars that one bar; on intraday bars until a bar of a later session arrives (or <see cref="CloseSession"/>).
/// Its unfilled remainder then expires: Cancelled, note "expired (day order)", fills kept. Gtc works until filled or cancelled.</item>
/// <item><b>TWAP/VWAP</b> slice over the intraday bars starting in [WindowStart, WindowEnd), clipped to the session of the first
/// eligible bar (default window: <see cref="ExecutionSettings.DefaultAlgoWindow"/> from that bar). Slices left =
/// ⌈(WindowEnd − bar start) ÷ bar <see cref="MatchBar.Length"/>⌉ (the schedule, not the data). TWAP takes remaining ÷ slices left
/// on each bar. VWAP takes remaining × w(bar) ÷ w(bar start … WindowEnd) with w from a <see cref="VolumeProfile"/> of previous
/// sessions (never this session's volumes); with no profile, or a profile with no weight left in the window, equal weights
/// (= TWAP). The bar ending at or after WindowEnd takes everything left. A slice fills at the bar's Vwap, or its typical price
/// (H+L+C)/3 when it has none, plus slippage. On daily bars each session is one slice at the daily Vwap or typical price: the
/// order is divided over the weekdays left in the window (holidays are not known here), one daily bar being the whole window by
/// default. The volume cap applies to each slice; what is left when the window ends is cancelled with a note.</item>
/// <item><b>Volume cap and partial fills.</b> A fill is capped at <see cref="ExecutionSettings.MaxVolumeShare"/> of the bar's volume;
/// the order is PartiallyFilled and keeps working; <see cref="MatchOrder.AverageFillPrice"/> is quantity-weighted; Filled at zero remaining.</item>
/// </list>
/// Bars passed to <see cref="Run(MatchOrder, ReadOnlySpan{MatchBar}, ExecutionSettings, List{MatchFill}, VolumeProfile?)"/>
/// must be sorted by <see cref="MatchBar.Start"/>.
/// </summary>
public static class MatchingEngine
{
    public const string ExpiredDayNote = "expired (day order)";
    public const string CancelledNote = "cancelled";

    private const int Block = 32;

    /// <summary>
    /// Runs one order over one bar, appending any fill to <paramref name="fills"/>. Ineligible bars (before PlacedAt) are
    /// ignored. The first eligible bar validates the order (an invalid one is Rejected with <see cref="MatchOrder.RejectReason"/>)
    /// and fixes its <see cref="MatchOrder.Session"/>. Returns whether the order is still working afterwards.
    /// </summary>
    public static bool OnBar(MatchOrder order, in MatchBar bar, ExecutionSettings settings, List<MatchFill> fills, VolumeProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(fills);
        if (!order.IsWorking) return false;
        if (bar.Start < order.PlacedAt) return true;
        if (order.IsAlgo && order.WindowStart is { } windowStart && bar.Start < windowStart) return true;

        if (order.Session is null)
        {
            if (Validate(order) is { } reason)
            {
                order.Status = OrderStatus.Rejected;
                order.RejectReason = reason;
                order.ClosedAt = bar.Start;
                return false;
            }
            order.Session = bar.SessionDate;
            if (order.Status == OrderStatus.Pending) order.Status = OrderStatus.Open;
            if (order.IsAlgo) order.WindowEnd ??= bar.Start + settings.DefaultAlgoWindow;
        }
        else if (bar.SessionDate != order.Session && (order.TimeInForce == TimeInForce.Day || (order.IsAlgo && bar.IsIntraday)))
        {
            // The order's session ended before this bar; it never sees it.
            if (order.TimeInForce == TimeInForce.Day) Close(order, OrderStatus.Cancelled, ExpiredDayNote, bar.Start);
            else WindowEnded(order, bar.Start);
            return false;
        }

        switch (order.Type)
        {
            case OrderType.Market:
                Fill(order, bar, settings.Slippage.Apply(bar.Open, order.Side, bar), MatchRules.MarketOpen, settings, fills);
                break;
            case OrderType.Limit:
                MatchLimit(order, bar, order.LimitPrice!.Value, settings, fills);
                break;
            case OrderType.StopLoss:
                MatchStop(order, bar, settings, fills);
                break;
            case OrderType.StopLimit:
                MatchStopLimit(order, bar, settings, fills);
                break;
            case OrderType.Twap:
            case OrderType.Vwap:
                MatchAlgo(order, bar, settings, fills, profile);
                break;
        }

        if (order.IsWorking && order.TimeInForce == TimeInForce.Day && !bar.IsIntraday)
            Close(order, OrderStatus.Cancelled, ExpiredDayNote, bar.Start);
        return order.IsWorking;
    }

    /// <summary>
    /// Runs one order over an instrument's bars (sorted by start) from the first eligible one (found by binary search) until
    /// it stops working or the bars end. Returns whether it is still working.
    /// </summary>
    public static bool Run(MatchOrder order, ReadOnlySpan<MatchBar> bars, ExecutionSettings settings, List<MatchFill> fills, VolumeProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!order.IsWorking) return false;
        for (var i = FirstEligible(bars, EligibleFrom(order)); i < bars.Length; i++)
            if (!OnBar(order, bars[i], settings, fills, profile)) return false;
        return true;
    }

    /// <summary>
    /// Runs many orders on one instrument over its bars (sorted by start). Each order is matched independently from its first
    /// eligible bar, so the orders need not be sorted; fills are appended order by order. Built for bulk backtests: the bars are
    /// summarised once in blocks of 32 (lowest low, highest high), so a good-till-cancelled limit or stop far from the market
    /// skips whole blocks it cannot touch instead of visiting every bar. Returns how many orders are still working.
    /// </summary>
    public static int Run(ReadOnlySpan<MatchBar> bars, IReadOnlyList<MatchOrder> orders, ExecutionSettings settings, List<MatchFill> fills, VolumeProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(fills);
        var blocks = (bars.Length + Block - 1) / Block;
        var blockLow = ArrayPool<decimal>.Shared.Rent(Math.Max(blocks, 1));
        var blockHigh = ArrayPool<decimal>.Shared.Rent(Math.Max(blocks, 1));
        try
        {
            for (var b = 0; b < blocks; b++)
            {
                var end = Math.Min(bars.Length, (b + 1) * Block);
                var lo = decimal.MaxValue;
                var hi = decimal.MinValue;
                for (var i = b * Block; i < end; i++)
                {
                    ref readonly var bar = ref bars[i];
                    lo = Math.Min(lo, Math.Min(bar.Low, bar.Open));
                    hi = Math.Max(hi, Math.Max(bar.High, bar.Open));
                }
                blockLow[b] = lo;
                blockHigh[b] = hi;
            }

            var working = 0;
            for (var k = 0; k < orders.Count; k++)
            {
                var order = orders[k];
                if (!order.IsWorking) continue;
                var i = FirstEligible(bars, EligibleFrom(order));
                while (i < bars.Length)
                {
                    ref readonly var bar = ref bars[i];
                    if (order.Session is not null)
                    {
                        var watch = WatchFor(order, out var level);
                        if (watch != Watch.Every)
                        {
                            if ((i & (Block - 1)) == 0 && i + Block <= bars.Length
                                && (watch == Watch.Below ? blockLow[i / Block] > level : blockHigh[i / Block] < level))
                            {
                                i += Block;
                                continue;
                            }
                            if (watch == Watch.Below ? Math.Min(bar.Low, bar.Open) > level : Math.Max(bar.High, bar.Open) < level)
                            {
                                i++;
                                continue;
                            }
                        }
                    }
                    if (!OnBar(order, bar, settings, fills, profile)) break;
                    i++;
                }
                if (order.IsWorking) working++;
            }
            return working;
        }
        finally
        {
            ArrayPool<decimal>.Shared.Return(blockLow);
            ArrayPool<decimal>.Shared.Return(blockHigh);
        }
    }

    /// <summary>The index of the first bar starting at or after <paramref name="from"/> (bars sorted by start); bars.Length if none.</summary>
    public static int FirstEligible(ReadOnlySpan<MatchBar> bars, DateTimeOffset from)
    {
        int lo = 0, hi = bars.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (bars[mid].Start < from) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>Why the order cannot be matched, or null when it is valid.</summary>
    public static string? Validate(MatchOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Quantity <= 0m) return string.Create(CultureInfo.InvariantCulture, $"quantity must be positive; got {order.Quantity}");
        if (order.FilledQuantity < 0m || order.FilledQuantity > order.Quantity)
            return string.Create(CultureInfo.InvariantCulture, $"filled quantity {order.FilledQuantity} is outside 0…{order.Quantity}");
        if (!Enum.IsDefined(order.Side)) return $"unknown side {order.Side}";
        if (!Enum.IsDefined(order.Type)) return $"unknown order type {order.Type}";
        if (order.Type is OrderType.Limit or OrderType.StopLimit && order.LimitPrice is not > 0m) return $"a {order.Type} order needs a positive limit price";
        if (order.Type is OrderType.StopLoss or OrderType.StopLimit && order.StopPrice is not > 0m) return $"a {order.Type} order needs a positive stop price";
        if (order.IsAlgo && order.WindowStart is { } ws && order.WindowEnd is { } we && we <= ws) return "the window must end after it starts";
        return null;
    }

    /// <summary>Cancels a working order at <paramref name="at"/> (fills so far are kept). Throws if it is not working.</summary>
    public static void Cancel(MatchOrder order, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!order.IsWorking) throw new InvalidOperationException($"Order {order.Id} is {order.Status}; only a working order can be cancelled.");
        Close(order, OrderStatus.Cancelled, CancelledNote, at);
    }

    /// <summary>
    /// Replaces a working order's quantity and, for the types that have them, its limit and stop. The order is treated as placed
    /// anew at <paramref name="at"/> (no bar before it is used), and a new stop re-arms a triggered stop. A Day order keeps its
    /// session. Throws <see cref="InvalidOperationException"/> for an order that is not working and
    /// <see cref="ArgumentException"/> for a quantity not above the filled quantity, a non-positive price, a price the order
    /// type does not have, or <paramref name="at"/> before the order was placed.
    /// </summary>
    public static void Replace(MatchOrder order, decimal newQuantity, decimal? newLimit, decimal? newStop, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!order.IsWorking) throw new InvalidOperationException($"Order {order.Id} is {order.Status}; only a working order can be replaced.");
        if (newQuantity <= order.FilledQuantity)
            throw new ArgumentOutOfRangeException(nameof(newQuantity), newQuantity, $"newQuantity must exceed the filled quantity {order.FilledQuantity}.");
        if (newLimit is { } limit)
        {
            if (order.Type is not (OrderType.Limit or OrderType.StopLimit)) throw new ArgumentException($"A {order.Type} order has no limit price.", nameof(newLimit));
            if (limit <= 0m) throw new ArgumentOutOfRangeException(nameof(newLimit), limit, "newLimit must be positive.");
        }
        if (newStop is { } stop)
        {
            if (order.Type is not (OrderType.StopLoss or OrderType.StopLimit)) throw new ArgumentException($"A {order.Type} order has no stop price.", nameof(newStop));
            if (stop <= 0m) throw new ArgumentOutOfRangeException(nameof(newStop), stop, "newStop must be positive.");
        }
        if (at < order.PlacedAt) throw new ArgumentOutOfRangeException(nameof(at), at, $"at must not be before the order was placed ({order.PlacedAt:O}).");

        order.Quantity = newQuantity;
        if (newLimit is not null) order.LimitPrice = newLimit;
        if (newStop is not null)
        {
            order.StopPrice = newStop;
            order.StopTriggered = false;
        }
        order.PlacedAt = at;
    }

    /// <summary>
    /// Ends <paramref name="session"/> for an order at <paramref name="at"/> (its close): a Day order of that session (or an earlier
    /// one) expires, and a TWAP/VWAP order whose window has ended by <paramref name="at"/> is cancelled. For callers stepping
    /// intraday bars, so an order does not wait for the next session's first bar. Returns whether the order was closed.
    /// </summary>
    public static bool CloseSession(MatchOrder order, DateOnly session, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!order.IsWorking || order.Session is not { } own || own > session) return false;
        if (order.TimeInForce == TimeInForce.Day)
        {
            Close(order, OrderStatus.Cancelled, ExpiredDayNote, at);
            return true;
        }
        if (order.IsAlgo && order.WindowEnd is { } end && end <= at)
        {
            WindowEnded(order, at);
            return true;
        }
        return false;
    }

    /// <summary>
    /// Adjusts a working order for a split of <paramref name="ratio"/> new shares per old share (2 for 2-for-1, 0.1 for a 1-for-10
    /// reverse split): quantities (ordered and filled) × ratio, limit, stop and average fill price ÷ ratio, so every notional is
    /// unchanged. Returns false (and changes nothing) for an order that is no longer working.
    /// </summary>
    public static bool SplitAdjust(MatchOrder order, decimal ratio)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (ratio <= 0m) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "ratio (new shares per old share) must be positive.");
        if (!order.IsWorking) return false;
        order.Quantity *= ratio;
        order.FilledQuantity *= ratio;
        if (order.LimitPrice is { } limit) order.LimitPrice = limit / ratio;
        if (order.StopPrice is { } stop) order.StopPrice = stop / ratio;
        order.AverageFillPrice /= ratio;
        return true;
    }

    /// <summary>
    /// <see cref="SplitAdjust(MatchOrder, decimal)"/> with the ratio as whole shares (<paramref name="newShares"/> for
    /// <paramref name="oldShares"/>), exact for ratios such as 1:3 that have no finite decimal.
    /// </summary>
    public static bool SplitAdjust(MatchOrder order, int newShares, int oldShares)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(newShares);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(oldShares);
        if (!order.IsWorking) return false;
        order.Quantity = order.Quantity * newShares / oldShares;
        order.FilledQuantity = order.FilledQuantity * newShares / oldShares;
        if (order.LimitPrice is { } limit) order.LimitPrice = limit * oldShares / newShares;
        if (order.StopPrice is { } stop) order.StopPrice = stop * oldShares / newShares;
        order.AverageFillPrice = order.AverageFillPrice * oldShares / newShares;
        return true;
    }

    private static DateTimeOffset EligibleFrom(MatchOrder order) =>
        order.IsAlgo && order.WindowStart is { } ws && ws > order.PlacedAt ? ws : order.PlacedAt;

    private static void MatchLimit(MatchOrder order, in MatchBar bar, decimal limit, ExecutionSettings settings, List<MatchFill> fills)
    {
        var through = settings.TradeThrough;
        if (order.Side == OrderSide.Buy)
        {
            if (through ? bar.Open < limit : bar.Open <= limit)
                Fill(order, bar, settings.Slippage.Apply(bar.Open, OrderSide.Buy, bar, limit), MatchRules.LimitAtOpen, settings, fills);
            else if (through ? bar.Low < limit : bar.Low <= limit)
                Fill(order, bar, limit, through ? MatchRules.LimitTradedThrough : MatchRules.LimitTouched, settings, fills);
        }
        else
        {
            if (through ? bar.Open > limit : bar.Open >= limit)
                Fill(order, bar, settings.Slippage.Apply(bar.Open, OrderSide.Sell, bar, limit), MatchRules.LimitAtOpen, settings, fills);
            else if (through ? bar.High > limit : bar.High >= limit)
                Fill(order, bar, limit, through ? MatchRules.LimitTradedThrough : MatchRules.LimitTouched, settings, fills);
        }
    }

    private static void MatchStop(MatchOrder order, in MatchBar bar, ExecutionSettings settings, List<MatchFill> fills)
    {
        if (order.StopTriggered)
        {
            Fill(order, bar, settings.Slippage.Apply(bar.Open, order.Side, bar), MatchRules.StopTriggeredEarlier, settings, fills);
            return;
        }
        if (!Trigger(order, bar, out var price, out var gapped)) return;
        order.StopTriggered = true;
        Fill(order, bar, settings.Slippage.Apply(price, order.Side, bar), gapped ? MatchRules.StopGapped : MatchRules.StopTouched, settings, fills);
    }

    private static void MatchStopLimit(MatchOrder order, in MatchBar bar, ExecutionSettings settings, List<MatchFill> fills)
    {
        var limit = order.LimitPrice!.Value;
        if (order.StopTriggered)
        {
            MatchLimit(order, bar, limit, settings, fills);
            return;
        }
        if (!Trigger(order, bar, out var price, out var gapped)) return;
        order.StopTriggered = true;
        var satisfies = order.Side == OrderSide.Buy
            ? settings.TradeThrough ? price < limit : price <= limit
            : settings.TradeThrough ? price > limit : price >= limit;
        if (satisfies)
            Fill(order, bar, settings.Slippage.Apply(price, order.Side, bar, limit), gapped ? MatchRules.StopLimitGapped : MatchRules.StopLimitTriggered, settings, fills);
    }

    /// <summary>Whether the bar trades the stop: at the open (gapped) or inside the bar at the stop price.</summary>
    private static bool Trigger(MatchOrder order, in MatchBar bar, out decimal price, out bool gapped)
    {
        var stop = order.StopPrice!.Value;
        if (order.Side == OrderSide.Buy ? bar.Open >= stop : bar.Open <= stop)
        {
            price = bar.Open;
            gapped = true;
            return true;
        }
        gapped = false;
        price = stop;
        return order.Side == OrderSide.Buy ? bar.High >= stop : bar.Low <= stop;
    }

    private static void MatchAlgo(MatchOrder order, in MatchBar bar, ExecutionSettings settings, List<MatchFill> fills, VolumeProfile? profile)
    {
        var windowEnd = order.WindowEnd!.Value;
        if (bar.Start >= windowEnd)
        {
            WindowEnded(order, bar.Start);
            return;
        }
        var remaining = order.Remaining;
        decimal target;
        bool last;
        string rule;
        if (bar.IsIntraday)
        {
            if (bar.Length <= TimeSpan.Zero)
                throw new ArgumentException($"Intraday bar at {bar.Start:O} has no Length; TWAP/VWAP orders need it to count their slices.", nameof(bar));
            var barEnd = bar.Start + bar.Length;
            last = barEnd >= windowEnd;
            // This bar's share of what is left = numerator ÷ denominator (kept apart so 75 ÷ 3 is exactly 25).
            var numerator = 1m;
            var denominator = (decimal)((windowEnd - bar.Start).Ticks / bar.Length.Ticks + ((windowEnd - bar.Start).Ticks % bar.Length.Ticks == 0 ? 0 : 1));
            if (order.Type == OrderType.Vwap && profile is not null)
            {
                var left = profile.Weight(bar.Start, windowEnd);
                if (left > 0m)
                {
                    numerator = profile.Weight(bar.Start, barEnd);
                    denominator = left;
                }
            }
            target = last ? remaining : remaining * numerator / denominator;
            rule = order.Type == OrderType.Twap
                ? bar.Vwap is null ? MatchRules.TwapTypical : MatchRules.TwapVwap
                : bar.Vwap is null ? MatchRules.VwapTypical : MatchRules.VwapVwap;
        }
        else
        {
            // Daily bars: one slice per session over the weekdays left in the window.
            var lastDay = DateOnly.FromDateTime(windowEnd.ToOffset(bar.Start.Offset).AddTicks(-1).DateTime);
            var days = Weekdays(bar.SessionDate, lastDay);
            last = days <= 1;
            target = last ? remaining : remaining / days;
            rule = order.Type == OrderType.Twap
                ? bar.Vwap is null ? MatchRules.TwapDailyTypical : MatchRules.TwapDailyVwap
                : bar.Vwap is null ? MatchRules.VwapDailyTypical : MatchRules.VwapDailyVwap;
        }

        var price = settings.Slippage.Apply(bar.Vwap ?? bar.TypicalPrice, order.Side, bar);
        Fill(order, bar, price, rule, settings, fills, target);
        if (last && order.IsWorking) WindowEnded(order, bar.Start);
    }

    private static int Weekdays(DateOnly from, DateOnly to)
    {
        var n = 0;
        for (var d = from; d <= to && n < 10_000; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) n++;
        return n;
    }

    /// <summary>
    /// Fills up to <paramref name="target"/> (default: the whole remainder) at <paramref name="price"/>, capped by the volume share
    /// and rounded down to the quantity increment when the cap or a slice cuts the remainder.
    /// </summary>
    private static void Fill(MatchOrder order, in MatchBar bar, decimal price, string rule, ExecutionSettings settings, List<MatchFill> fills, decimal? target = null)
    {
        var remaining = order.Remaining;
        var qty = target is { } t && t < remaining ? t : remaining;
        if (settings.MaxVolumeShare > 0m) qty = Math.Min(qty, settings.MaxVolumeShare * bar.Volume);
        if (qty < remaining && settings.QuantityIncrement > 0m) qty = Math.Floor(qty / settings.QuantityIncrement) * settings.QuantityIncrement;
        if (qty <= 0m) return;

        var commission = settings.Commission.For(qty, price, order.FilledQuantity == 0m);
        var filled = order.FilledQuantity + qty;
        order.AverageFillPrice = (order.AverageFillPrice * order.FilledQuantity + price * qty) / filled;
        order.FilledQuantity = filled;
        order.Commission += commission;
        fills.Add(new MatchFill(order.Id, bar.Start, qty, price, commission, rule));
        if (filled >= order.Quantity)
        {
            order.Status = OrderStatus.Filled;
            order.ClosedAt = bar.Start;
        }
        else
        {
            order.Status = OrderStatus.PartiallyFilled;
        }
    }

    private static void WindowEnded(MatchOrder order, DateTimeOffset at) =>
        Close(order, OrderStatus.Cancelled, string.Create(CultureInfo.InvariantCulture, $"window ended: {order.Remaining:G29} of {order.Quantity:G29} unfilled"), at);

    private static void Close(MatchOrder order, OrderStatus status, string note, DateTimeOffset at)
    {
        order.Status = status;
        order.Note = note;
        order.ClosedAt = at;
    }

    private enum Watch
    {
        Every,
        Below,
        Above,
    }

    /// <summary>
    /// For the bulk run: which bars can change a Gtc order's state. A resting limit or an untriggered stop ignores every bar that
    /// does not reach its price (the lowest of open and low for a buy limit or sell stop, the highest of open and high otherwise).
    /// </summary>
    private static Watch WatchFor(MatchOrder order, out decimal level)
    {
        level = 0m;
        if (order.TimeInForce != TimeInForce.Gtc) return Watch.Every;
        var buy = order.Side == OrderSide.Buy;
        switch (order.Type)
        {
            case OrderType.Limit:
                level = order.LimitPrice!.Value;
                return buy ? Watch.Below : Watch.Above;
            case OrderType.StopLoss when !order.StopTriggered:
                level = order.StopPrice!.Value;
                return buy ? Watch.Above : Watch.Below;
            case OrderType.StopLimit:
                level = order.StopTriggered ? order.LimitPrice!.Value : order.StopPrice!.Value;
                return order.StopTriggered == buy ? Watch.Below : Watch.Above;
            default:
                return Watch.Every;
        }
    }
}

/// <summary>The <see cref="MatchFill.Rule"/> strings.</summary>
public static class MatchRules
{
    public const string MarketOpen = "market at next open";
    public const string LimitAtOpen = "limit marketable at open";
    public const string LimitTouched = "limit touched";
    public const string LimitTradedThrough = "limit traded through";
    public const string StopGapped = "stop gapped through: open";
    public const string StopTouched = "stop touched: stop price";
    public const string StopTriggeredEarlier = "stop triggered earlier: market at open";
    public const string StopLimitGapped = "stop-limit gapped through: open within limit";
    public const string StopLimitTriggered = "stop-limit triggered: stop price within limit";
    public const string TwapVwap = "twap slice: bar vwap";
    public const string TwapTypical = "twap slice: typical price";
    public const string VwapVwap = "vwap slice: bar vwap";
    public const string VwapTypical = "vwap slice: typical price";
    public const string TwapDailyVwap = "twap daily slice: bar vwap";
    public const string TwapDailyTypical = "twap daily slice: typical price";
    public const string VwapDailyVwap = "vwap daily slice: bar vwap";
    public const string VwapDailyTypical = "vwap daily slice: typical price";
}
