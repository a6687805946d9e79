using System.Diagnostics.CodeAnalysis;

namespace Signalbook.Features.Portfolios.Performance;

/// <summary>
/// A portfolio's FIFO lot book, keyed by instrument id. Apply fills in time order; each one either adds a lot on the
/// position's side or closes the oldest lots first (FIFO), and a fill larger than the position closes it entirely and
/// opens the remainder on the other side.
/// <para>
/// Fees: a fill's fees are split pro rata to quantity between what it closes and what it opens. The opening part is
/// part of the new lot's cost basis (a long's cost is notional + fees; a short's basis is its proceeds − fees) and is
/// released pro rata as the lot is closed. The closing part is deducted from the realised P&amp;L of the pieces it closes,
/// pro rata to their quantities. So a piece's realised P&amp;L is net of both its opening and closing fees:
/// <c>direction × (q × close price − q × open price) − opening fees(q) − closing fees(q)</c>.
/// </para>
/// Pure and single-threaded: no I/O; one book per portfolio, not shared between threads.
/// </summary>
public sealed class LotBook
{
    private readonly Dictionary<long, InstrumentPosition> _positions = [];
    private readonly List<ClosedTrade> _closedTrades = [];
    private long _sequence;
    private DateTimeOffset _lastFillAt = DateTimeOffset.MinValue;

    /// <summary>Every instrument the book has seen, flat ones included.</summary>
    public IReadOnlyCollection<InstrumentPosition> Positions => _positions.Values;

    /// <summary>One entry per closing fill, in order: the input of win rate and profit factor.</summary>
    public IReadOnlyList<ClosedTrade> ClosedTrades => _closedTrades;

    /// <summary>Realised P&amp;L to date over all instruments.</summary>
    public decimal RealisedPnl
    {
        get
        {
            var sum = 0m;
            foreach (var p in _positions.Values) sum += p.RealisedPnl;
            return sum;
        }
    }

    /// <summary>Number of fills applied.</summary>
    public long FillCount => _sequence;

    /// <summary>Applies a fill. Fills must come in non-decreasing timestamp order (FIFO is by time).</summary>
    public FillResult Apply(Fill fill)
    {
        fill.Validate();
        if (fill.Timestamp < _lastFillAt)
        {
            throw new ArgumentException($"Fills must be applied in time order: {fill.Timestamp:O} is before the previous fill at {_lastFillAt:O}.", nameof(fill));
        }
        _lastFillAt = fill.Timestamp;
        var sequence = ++_sequence;
        if (!_positions.TryGetValue(fill.InstrumentId, out var position))
        {
            position = new InstrumentPosition(fill.InstrumentId);
            _positions.Add(fill.InstrumentId, position);
        }
        var side = position.Side;
        var (closed, opened, realised, firstPiece) = position.Apply(fill, sequence);
        if (closed > 0)
        {
            _closedTrades.Add(new ClosedTrade(fill.InstrumentId, sequence, fill.TradeId, fill.Timestamp, side!.Value, closed, realised));
        }
        return new FillResult(sequence, closed, opened, realised, position.PiecesFrom(firstPiece));
    }

    /// <summary>
    /// Applies a split to the open lots of an instrument: quantities × <paramref name="ratio"/> (new shares per old),
    /// prices ÷ ratio, cost basis and fees unchanged. Realised history is left as it was. No-op for an unknown instrument.
    /// </summary>
    public void ApplySplit(long instrumentId, decimal ratio)
    {
        if (ratio <= 0) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "A split ratio is positive (new shares per old share).");
        if (_positions.TryGetValue(instrumentId, out var position)) position.Split(ratio);
    }

    /// <summary>The position in an instrument, or null if the book has never seen it.</summary>
    public InstrumentPosition? GetPosition(long instrumentId) => _positions.GetValueOrDefault(instrumentId);

    public bool TryGetPosition(long instrumentId, [NotNullWhen(true)] out InstrumentPosition? position) => _positions.TryGetValue(instrumentId, out position);

    /// <summary>Signed quantity held; 0 for an unknown instrument.</summary>
    public decimal Quantity(long instrumentId) => _positions.TryGetValue(instrumentId, out var p) ? p.Quantity : 0m;
}
