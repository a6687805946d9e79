namespace Signalbook.Features.Portfolios.Performance;

/// <summary>
/// A <see cref="LotBook"/>'s position in one instrument: its open FIFO lots (all on one side), the realised P&amp;L to
/// date and the round trip pieces closed so far. Read-only outside the book.
/// </summary>
public sealed class InstrumentPosition
{
    private readonly List<Lot> _lots = [];
    private readonly List<RoundTripPiece> _pieces = [];

    internal InstrumentPosition(long instrumentId) => InstrumentId = instrumentId;

    public long InstrumentId { get; }

    /// <summary>Signed quantity: positive long, negative short, zero flat.</summary>
    public decimal Quantity { get; private set; }

    /// <summary>The side of the open lots; null when flat.</summary>
    public PositionSide? Side => Quantity > 0 ? PositionSide.Long : Quantity < 0 ? PositionSide.Short : null;

    /// <summary>Open lots, oldest first (the next to be closed).</summary>
    public IReadOnlyList<Lot> OpenLots => _lots;

    /// <summary>Realised P&amp;L to date, net of all fees allocated to closed quantities.</summary>
    public decimal RealisedPnl { get; private set; }

    /// <summary>Every round trip piece closed so far, in closing order.</summary>
    public IReadOnlyList<RoundTripPiece> ClosedPieces => _pieces;

    /// <summary>Σ quantity × entry price over the open lots.</summary>
    public decimal Notional
    {
        get
        {
            var sum = 0m;
            foreach (var lot in _lots) sum += lot.Notional;
            return sum;
        }
    }

    /// <summary>Opening fees still carried by the open lots.</summary>
    public decimal OpenFees
    {
        get
        {
            var sum = 0m;
            foreach (var lot in _lots) sum += lot.Fees;
            return sum;
        }
    }

    /// <summary>Σ <see cref="Lot.CostBasis"/>: cash paid for a long (notional + fees), net proceeds for a short (notional − fees); 0 when flat.</summary>
    public decimal CostBasis => Quantity > 0 ? Notional + OpenFees : Quantity < 0 ? Notional - OpenFees : 0m;

    /// <summary>
    /// Average cost of the open lots per unit, opening fees included: <see cref="CostBasis"/> ÷ |quantity| (the break-even
    /// price). Null when flat.
    /// </summary>
    public decimal? AverageCost => Quantity == 0 ? null : CostBasis / Math.Abs(Quantity);

    /// <summary>Quantity-weighted entry price of the open lots, fees excluded: notional ÷ |quantity|. Null when flat.</summary>
    public decimal? AveragePrice => Quantity == 0 ? null : Notional / Math.Abs(Quantity);

    /// <summary>Signed market value at <paramref name="price"/>: quantity × price (negative for a short).</summary>
    public decimal MarketValue(decimal price) => Quantity * price;

    /// <summary>
    /// Unrealised P&amp;L at <paramref name="price"/>, exact over the lots: long = |q| × price − cost basis,
    /// short = cost basis (net proceeds) − |q| × price. What closing everything at that price with no closing fee would realise.
    /// </summary>
    public decimal UnrealisedPnl(decimal price) => Quantity * price - (Quantity > 0 ? CostBasis : -CostBasis);

    /// <summary>Unrealised P&amp;L ÷ cost basis; null when flat or the cost basis is not positive.</summary>
    public double? UnrealisedPercent(decimal price)
    {
        var basis = CostBasis;
        return Quantity == 0 || basis <= 0 ? null : (double)(UnrealisedPnl(price) / basis);
    }

    internal (decimal Closed, decimal Opened, decimal Realised, int FirstPiece) Apply(in Fill fill, long sequence)
    {
        var firstPiece = _pieces.Count;
        var closing = Quantity != 0 && Math.Sign(Quantity) != Math.Sign(fill.SignedQuantity);
        var closeQuantity = closing ? Math.Min(fill.Quantity, Math.Abs(Quantity)) : 0m;
        var openQuantity = fill.Quantity - closeQuantity;
        // The fill's fees split pro rata between what it closes and what it opens.
        var closeFees = closeQuantity == fill.Quantity ? fill.Fees : fill.Fees * closeQuantity / fill.Quantity;
        var openFees = fill.Fees - closeFees;

        var realised = 0m;
        if (closeQuantity > 0)
        {
            var direction = Quantity > 0 ? 1m : -1m;
            var side = Quantity > 0 ? PositionSide.Long : PositionSide.Short;
            var toClose = closeQuantity;
            var closeFeesLeft = closeFees;
            var consumed = 0;
            while (toClose > 0)
            {
                var lot = _lots[consumed];
                var q = Math.Min(toClose, lot.Quantity);
                decimal notional, lotFees;
                if (q == lot.Quantity)
                {
                    notional = lot.Notional;
                    lotFees = lot.Fees;
                    consumed++;
                }
                else
                {
                    notional = lot.Notional * q / lot.Quantity;
                    lotFees = lot.Fees * q / lot.Quantity;
                    _lots[consumed] = lot with { Quantity = lot.Quantity - q, Notional = lot.Notional - notional, Fees = lot.Fees - lotFees };
                }
                toClose -= q;
                // The last piece takes what is left of the closing fees, so the pieces add up to them exactly.
                var pieceCloseFees = toClose == 0 ? closeFeesLeft : closeFees * q / closeQuantity;
                closeFeesLeft -= pieceCloseFees;
                var pnl = direction * (q * fill.Price - notional) - lotFees - pieceCloseFees;
                realised += pnl;
                _pieces.Add(new RoundTripPiece(InstrumentId, side, q, lot.OpenedAt, notional / q, lot.TradeId,
                    fill.Timestamp, fill.Price, fill.TradeId, sequence, lotFees, pieceCloseFees, pnl));
            }
            _lots.RemoveRange(0, consumed);
            Quantity -= direction * closeQuantity;
            RealisedPnl += realised;
        }

        if (openQuantity > 0)
        {
            var side = fill.Side == OrderSide.Buy ? PositionSide.Long : PositionSide.Short;
            _lots.Add(new Lot(side, openQuantity, openQuantity * fill.Price, openFees, fill.Timestamp, fill.TradeId));
            Quantity += side == PositionSide.Long ? openQuantity : -openQuantity;
        }
        return (closeQuantity, openQuantity, realised, firstPiece);
    }

    internal IReadOnlyList<RoundTripPiece> PiecesFrom(int first) => first == _pieces.Count ? [] : _pieces.GetRange(first, _pieces.Count - first);

    internal void Split(decimal ratio)
    {
        var total = 0m;
        for (var i = 0; i < _lots.Count; i++)
        {
            var lot = _lots[i];
            _lots[i] = lot with { Quantity = lot.Quantity * ratio };
            total += lot.Quantity * ratio;
        }
        Quantity = Quantity > 0 ? total : -total;
    }
}
