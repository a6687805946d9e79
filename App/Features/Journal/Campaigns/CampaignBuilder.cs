using Signalbook.Features.Journal.Import;

namespace Signalbook.Features.Journal.Campaigns;

/// <summary>
/// Builds campaigns (round trips) from one user's fill ledger by FIFO zero-crossing, as the trading-buddy seed defines
/// campaign_fills. Pure: no I/O, decimal arithmetic throughout, the same input (in any order) gives equal output.
/// <para><b>Rules.</b></para>
/// <list type="number">
/// <item>Fills are split into series by (symbol, asset type) (<see cref="SeriesKey"/>); each series is processed alone, in
/// execution order: <see cref="LedgerFill.ExecutedAt"/>, then <see cref="LedgerFill.Id"/> (fills with the same timestamp go
/// in id order). The input order does not matter.</item>
/// <item>The signed position starts at zero. A buy adds its quantity, a sell subtracts it. A campaign starts when the
/// position leaves zero and ends when it returns to zero; its direction is the sign of the position (long above zero,
/// short below). Its <see cref="Campaign.GroupId"/> is the id of the fill that opened it.</item>
/// <item>A fill in the campaign's direction is an entry (scale-in); one against it is an exit (scale-out, partial or final
/// close). An exit larger than the open quantity crosses zero (a flip, long → short or short → long): the fill closes the
/// campaign with the open quantity and opens the next one with the rest, so it appears in both (campaign_fills holds it
/// under both group ids) with its quantity split and its fees split pro rata by quantity (the closing share is
/// fees × closed ÷ fill quantity, the opening share the remainder, so the two add up to the fill's fees exactly).</item>
/// <item>Realised P&amp;L matches exits against entry lots first in, first out. Each entry leg is a lot at its price with its
/// fees and multiplier; an exit of q at price p consumes the oldest lots: gross (p − lot price) × taken × lot multiplier
/// (negated for a short), and the taken share of the lot's fees (pro rata; a lot used up gives what is left of its fees).
/// The exit leg's own fees are realised with it. <see cref="Campaign.RealisedPnl"/> = gross − realised fees; for an open
/// campaign it is what has been realised so far.</item>
/// <item>Averages are quantity-weighted per unit, without fees; <see cref="Campaign.MatchedCost"/> is the entry cost of the
/// matched quantity (× multiplier), and <see cref="Campaign.ReturnPct"/> = realised P&amp;L ÷ matched cost × 100.</item>
/// </list>
/// <para><b>Incremental rebuild.</b> A new fill can only change the campaigns of its own series, but a fill older than the
/// series' last one (a late import, a manual back-dated fill) can move every later zero-crossing and so every later group
/// id. The supported approach, simplest and always correct: the caller loads all fills of each affected series
/// (<see cref="AffectedSeries"/>), calls <see cref="RebuildSeries"/> with them and the new fills, and replaces that
/// series' campaign_fills rows (<see cref="ToRows"/>) in one transaction. Series are small (hundreds to thousands of
/// fills), so this costs milliseconds; other series are not touched.</para>
/// </summary>
public static class CampaignBuilder
{
    /// <summary>Execution order within a series: time, then id.</summary>
    public static readonly IComparer<LedgerFill> ExecutionOrder = Comparer<LedgerFill>.Create(static (a, b) =>
    {
        var byTime = a.ExecutedAt.UtcTicks.CompareTo(b.ExecutedAt.UtcTicks);
        return byTime != 0 ? byTime : a.Id.CompareTo(b.Id);
    });

    /// <summary>All campaigns of the fills, ordered by <see cref="Campaign.OpenedAt"/> then <see cref="Campaign.GroupId"/>.</summary>
    /// <exception cref="ArgumentException">A fill has a quantity or multiplier that is not positive.</exception>
    public static IReadOnlyList<Campaign> Build(IEnumerable<LedgerFill> fills)
    {
        ArgumentNullException.ThrowIfNull(fills);
        var bySeries = new Dictionary<SeriesKey, List<LedgerFill>>();
        foreach (var fill in fills)
        {
            var key = fill.Series;
            if (!bySeries.TryGetValue(key, out var list))
            {
                list = [];
                bySeries.Add(key, list);
            }
            list.Add(fill);
        }
        var campaigns = new List<Campaign>();
        foreach (var list in bySeries.Values) BuildSorted(Sort(list), campaigns);
        campaigns.Sort(static (a, b) =>
        {
            var byTime = a.OpenedAt.UtcTicks.CompareTo(b.OpenedAt.UtcTicks);
            return byTime != 0 ? byTime : a.GroupId.CompareTo(b.GroupId);
        });
        return campaigns;
    }

    /// <summary>
    /// Rebuilds one series from its stored fills and the new ones (any order; a new fill with the id of a stored one
    /// replaces it, so re-sending a fill changes nothing). Returns that series' campaigns in execution order.
    /// </summary>
    /// <exception cref="ArgumentException">The fills are not all of one series.</exception>
    public static IReadOnlyList<Campaign> RebuildSeries(IEnumerable<LedgerFill> storedSeriesFills, IEnumerable<LedgerFill> newFills)
    {
        ArgumentNullException.ThrowIfNull(storedSeriesFills);
        ArgumentNullException.ThrowIfNull(newFills);
        var byId = new Dictionary<long, LedgerFill>();
        SeriesKey? series = null;
        foreach (var fill in storedSeriesFills.Concat(newFills))
        {
            series ??= fill.Series;
            if (fill.Series != series) throw new ArgumentException($"Fill {fill.Id} is of {fill.Series}, not of the series being rebuilt ({series}).", nameof(newFills));
            byId[fill.Id] = fill;
        }
        var campaigns = new List<Campaign>();
        BuildSorted(Sort(byId.Values.ToList()), campaigns);
        return campaigns;
    }

    /// <summary>The series the new fills touch: those whose campaigns must be rebuilt.</summary>
    public static IReadOnlySet<SeriesKey> AffectedSeries(IEnumerable<LedgerFill> newFills) => newFills.Select(f => f.Series).ToHashSet();

    /// <summary>The campaign_fills rows of the campaigns: one per leg (a flip fill gives two rows, one per group).</summary>
    public static IReadOnlyList<CampaignFillRow> ToRows(IEnumerable<Campaign> campaigns) =>
        campaigns.SelectMany(c => c.Legs.Select(l => new CampaignFillRow(c.GroupId, l.FillId))).ToList();

    private static List<LedgerFill> Sort(List<LedgerFill> fills)
    {
        fills.Sort(ExecutionOrder);
        return fills;
    }

    /// <summary>Runs one series' fills, already in execution order, adding its campaigns in order.</summary>
    private static void BuildSorted(List<LedgerFill> fills, List<Campaign> output)
    {
        CampaignState? open = null;
        var position = 0m;
        foreach (var fill in fills)
        {
            if (fill.Quantity <= 0) throw new ArgumentException($"Fill {fill.Id}: the quantity must be positive (the side gives the direction), not {fill.Quantity}.", nameof(fills));
            if (fill.Multiplier <= 0) throw new ArgumentException($"Fill {fill.Id}: the multiplier must be positive, not {fill.Multiplier}.", nameof(fills));
            var signed = fill.Side == FillSide.Buy ? fill.Quantity : -fill.Quantity;
            if (open is null)
            {
                open = new CampaignState(fill, signed > 0);
                open.Enter(fill, fill.Quantity, fill.Fees);
                position = signed;
                continue;
            }
            if ((signed > 0) == open.IsLong)
            {
                open.Enter(fill, fill.Quantity, fill.Fees);
                position += signed;
                continue;
            }
            var held = Math.Abs(position);
            if (fill.Quantity <= held)
            {
                open.Exit(fill, fill.Quantity, fill.Fees);
                position += signed;
                if (position == 0)
                {
                    output.Add(open.ToCampaign(fill.ExecutedAt));
                    open = null;
                }
                continue;
            }
            // A flip: the open quantity closes this campaign, the rest opens the next one; fees pro rata.
            var closingFees = fill.Fees * held / fill.Quantity;
            open.Exit(fill, held, closingFees);
            output.Add(open.ToCampaign(fill.ExecutedAt));
            open = new CampaignState(fill, signed > 0);
            open.Enter(fill, fill.Quantity - held, fill.Fees - closingFees);
            position += signed;
        }
        if (open is not null) output.Add(open.ToCampaign(null));
    }

    private sealed class CampaignState(LedgerFill first, bool isLong)
    {
        private readonly List<CampaignLeg> _legs = [];
        private readonly List<Lot> _lots = [];
        private int _head;
        private decimal _held, _maxHeld, _entryQuantity, _entryNotional, _exitQuantity, _exitNotional, _fees;
        private decimal _gross, _realisedFees, _matchedCost;

        public bool IsLong { get; } = isLong;

        public void Enter(LedgerFill fill, decimal quantity, decimal fees)
        {
            _legs.Add(new CampaignLeg(fill.Id, fill.Side, LegRole.Entry, quantity, fill.Price, fees, fill.ExecutedAt));
            _lots.Add(new Lot(fill.Price, quantity, fees, fill.Multiplier));
            _held += quantity;
            _maxHeld = Math.Max(_maxHeld, _held);
            _entryQuantity += quantity;
            _entryNotional += fill.Price * quantity;
            _fees += fees;
        }

        public void Exit(LedgerFill fill, decimal quantity, decimal fees)
        {
            _legs.Add(new CampaignLeg(fill.Id, fill.Side, LegRole.Exit, quantity, fill.Price, fees, fill.ExecutedAt));
            _held -= quantity;
            _exitQuantity += quantity;
            _exitNotional += fill.Price * quantity;
            _fees += fees;
            _realisedFees += fees;
            var left = quantity;
            while (left > 0)
            {
                var lot = _lots[_head];
                var take = Math.Min(left, lot.Quantity);
                var feeShare = take == lot.Quantity ? lot.Fees : lot.Fees * take / lot.Quantity;
                var move = (fill.Price - lot.Price) * take * lot.Multiplier;
                _gross += IsLong ? move : -move;
                _matchedCost += lot.Price * take * lot.Multiplier;
                _realisedFees += feeShare;
                left -= take;
                if (take == lot.Quantity) _head++;
                else _lots[_head] = lot with { Quantity = lot.Quantity - take, Fees = lot.Fees - feeShare };
            }
        }

        public Campaign ToCampaign(DateTimeOffset? closedAt)
        {
            var realised = _gross - _realisedFees;
            return new Campaign
            {
                GroupId = first.Id,
                Symbol = first.Symbol,
                AssetType = first.AssetType,
                Direction = IsLong ? CampaignDirection.Long : CampaignDirection.Short,
                Legs = _legs.ToArray(),
                OpenedAt = first.ExecutedAt,
                ClosedAt = closedAt,
                EntryAverage = _entryNotional / _entryQuantity,
                ExitAverage = _exitQuantity > 0 ? _exitNotional / _exitQuantity : null,
                EntryQuantity = _entryQuantity,
                ExitQuantity = _exitQuantity,
                MaxPosition = _maxHeld,
                Quantity = _held,
                RealisedPnl = realised,
                MatchedCost = _matchedCost,
                ReturnPct = _matchedCost != 0 ? realised / _matchedCost * 100m : null,
                TotalFees = _fees,
                Multiplier = first.Multiplier,
            };
        }
    }

    private readonly record struct Lot(decimal Price, decimal Quantity, decimal Fees, decimal Multiplier);
}
