namespace Signalbook.Features.Portfolios.Performance;

/// <summary>One day of an <see cref="EquityCurve"/>, as of that day's close.</summary>
/// <param name="LongMarketValue">Σ q × close over long positions (≥ 0).</param>
/// <param name="ShortMarketValue">Σ q × close over short positions (≤ 0: what buying them back would cost).</param>
/// <param name="Equity">Cash + long market value + short market value.</param>
/// <param name="ExternalFlow">Deposits (+) and withdrawals (−) booked on the day.</param>
/// <param name="DailyPnl">Equity change over the previous day minus the day's external flow.</param>
/// <param name="GrossExposure">Long market value + |short market value|.</param>
/// <param name="OpenPositions">Instruments with a non-zero quantity at the close.</param>
public readonly record struct EquityDay(
    DateOnly Date,
    decimal Cash,
    decimal LongMarketValue,
    decimal ShortMarketValue,
    decimal Equity,
    decimal ExternalFlow,
    decimal DailyPnl,
    decimal GrossExposure,
    int OpenPositions)
{
    /// <summary>Net market value: long + short.</summary>
    public decimal MarketValue => LongMarketValue + ShortMarketValue;
}

/// <summary>
/// A portfolio's daily equity curve over the trading days of a <see cref="PriceGrid"/>, one value per day, kept as arrays
/// (column per field) so metrics run over it without allocating per day.
/// <para>
/// Each day, in order: splits effective that day and the day's fills (interleaved by date, a split before the fills of
/// its date), the day's external flows; then every open position is marked at the day's close, or the last known
/// close if the day has none, or — when no close is known yet — the instrument's last fill price.
/// Fills, flows and splits dated before the first day count on the first day; ones dated on a non-trading day count on
/// the next trading day; ones after the last day are outside the curve and ignored. A fill's date is its UTC date.
/// </para>
/// The day before the first day has equity = starting cash; so day 0's P&amp;L is equity₀ − starting cash − flow₀.
/// </summary>
public sealed class EquityCurve
{
    internal readonly DateOnly[] DayArray;
    internal readonly decimal[] CashArray;
    internal readonly decimal[] LongArray;
    internal readonly decimal[] ShortArray;
    internal readonly decimal[] EquityArray;
    internal readonly decimal[] FlowArray;
    internal readonly decimal[] PnlArray;
    internal readonly decimal[] GrossArray;
    internal readonly int[] OpenArray;

    private EquityCurve(decimal startingCash, DateOnly[] days)
    {
        StartingCash = startingCash;
        var n = days.Length;
        DayArray = days;
        CashArray = new decimal[n];
        LongArray = new decimal[n];
        ShortArray = new decimal[n];
        EquityArray = new decimal[n];
        FlowArray = new decimal[n];
        PnlArray = new decimal[n];
        GrossArray = new decimal[n];
        OpenArray = new int[n];
    }

    /// <summary>Cash before the first day: the equity the first day's return is measured from.</summary>
    public decimal StartingCash { get; }

    public int Count => DayArray.Length;

    public IReadOnlyList<DateOnly> Days => DayArray;
    public IReadOnlyList<decimal> Cash => CashArray;
    public IReadOnlyList<decimal> LongMarketValue => LongArray;
    public IReadOnlyList<decimal> ShortMarketValue => ShortArray;
    public IReadOnlyList<decimal> Equity => EquityArray;
    public IReadOnlyList<decimal> ExternalFlow => FlowArray;
    public IReadOnlyList<decimal> DailyPnl => PnlArray;
    public IReadOnlyList<decimal> GrossExposure => GrossArray;
    public IReadOnlyList<int> OpenPositions => OpenArray;

    public EquityDay this[int day] => new(DayArray[day], CashArray[day], LongArray[day], ShortArray[day], EquityArray[day], FlowArray[day], PnlArray[day], GrossArray[day], OpenArray[day]);

    /// <summary>Equity at the last close, or the starting cash if the curve has no days.</summary>
    public decimal EndingEquity => Count == 0 ? StartingCash : EquityArray[^1];

    /// <summary>Builds the curve. <paramref name="flows"/>, <paramref name="fills"/> and <paramref name="splits"/> must each be in date order.</summary>
    /// <param name="closes">The trading days and the closes of the instruments held (instruments it lacks are marked at their last fill price).</param>
    public static EquityCurve Build(PriceGrid closes, decimal startingCash, ReadOnlySpan<CashFlow> flows, ReadOnlySpan<Fill> fills, ReadOnlySpan<Split> splits = default)
    {
        ArgumentNullException.ThrowIfNull(closes);
        var days = closes.DayArray;
        var curve = new EquityCurve(startingCash, days);
        var holdings = new Holdings(closes);
        var cash = startingCash;
        var previousEquity = startingCash;
        int f = 0, x = 0, s = 0;
        var lastFlowDate = DateOnly.MinValue;
        var lastFillDate = DateOnly.MinValue;
        var lastSplitDate = DateOnly.MinValue;
        for (var t = 0; t < days.Length; t++)
        {
            var day = days[t];
            while (true)
            {
                var splitDue = s < splits.Length && splits[s].Date <= day;
                var fillDue = x < fills.Length && fills[x].Date <= day;
                if (splitDue && (!fillDue || splits[s].Date <= fills[x].Date))
                {
                    var split = splits[s++];
                    lastSplitDate = InOrder(split.Date, lastSplitDate, nameof(splits));
                    if (split.Ratio <= 0) throw new ArgumentException($"Split ratio {split.Ratio} for instrument {split.InstrumentId} is not positive.", nameof(splits));
                    holdings.Split(split.InstrumentId, split.Ratio);
                }
                else if (fillDue)
                {
                    var fill = fills[x++];
                    lastFillDate = InOrder(fill.Date, lastFillDate, nameof(fills));
                    fill.Validate();
                    cash += fill.CashDelta;
                    holdings.Apply(fill);
                }
                else
                {
                    break;
                }
            }
            var flow = 0m;
            while (f < flows.Length && flows[f].Date <= day)
            {
                lastFlowDate = InOrder(flows[f].Date, lastFlowDate, nameof(flows));
                flow += flows[f++].Amount;
            }
            cash += flow;

            var (longValue, shortValue, open) = holdings.Mark(t);
            var equity = cash + longValue + shortValue;
            curve.CashArray[t] = cash;
            curve.LongArray[t] = longValue;
            curve.ShortArray[t] = shortValue;
            curve.EquityArray[t] = equity;
            curve.FlowArray[t] = flow;
            curve.PnlArray[t] = equity - previousEquity - flow;
            curve.GrossArray[t] = longValue - shortValue;
            curve.OpenArray[t] = open;
            previousEquity = equity;
        }
        return curve;
    }

    private static DateOnly InOrder(DateOnly date, DateOnly previous, string what) =>
        date < previous ? throw new ArgumentException($"The {what} must be in date order: {date} comes after {previous}.", what) : date;

    /// <summary>Quantities per instrument held by the portfolio: a few slots, found by a linear scan (portfolios hold few instruments).</summary>
    private sealed class Holdings(PriceGrid closes)
    {
        private long[] _ids = new long[8];
        private int[] _row = new int[8];
        private decimal[] _quantity = new decimal[8];
        private decimal[] _lastFillPrice = new decimal[8];
        private int _count;

        private int Find(long instrumentId)
        {
            for (var k = 0; k < _count; k++)
            {
                if (_ids[k] == instrumentId) return k;
            }
            return -1;
        }

        public void Apply(in Fill fill)
        {
            var k = Find(fill.InstrumentId);
            if (k < 0)
            {
                if (_count == _ids.Length)
                {
                    Array.Resize(ref _ids, _count * 2);
                    Array.Resize(ref _row, _count * 2);
                    Array.Resize(ref _quantity, _count * 2);
                    Array.Resize(ref _lastFillPrice, _count * 2);
                }
                k = _count++;
                _ids[k] = fill.InstrumentId;
                _row[k] = closes.IndexOf(fill.InstrumentId);
            }
            _quantity[k] += fill.SignedQuantity;
            _lastFillPrice[k] = fill.Price;
        }

        public void Split(long instrumentId, decimal ratio)
        {
            var k = Find(instrumentId);
            if (k < 0) return;
            _quantity[k] *= ratio;
            _lastFillPrice[k] /= ratio;
        }

        public (decimal Long, decimal Short, int Open) Mark(int day)
        {
            decimal longValue = 0, shortValue = 0;
            var open = 0;
            for (var k = 0; k < _count; k++)
            {
                var q = _quantity[k];
                if (q == 0) continue;
                open++;
                var mark = _row[k] >= 0 && closes.TryGetMarkAt(_row[k], day, out var close) ? close : _lastFillPrice[k];
                if (q > 0) longValue += q * mark;
                else shortValue += q * mark;
            }
            return (longValue, shortValue, open);
        }
    }
}
