namespace Signalbook.Features.Journal.Campaigns;

/// <summary>
/// Campaigns as columns, from <see cref="FastCampaignBuilder.Build"/>, in the order they opened (time, then id). The legs
/// are in execution order across all series; <see cref="LegCampaign"/> says whose each is (with the fill id, a
/// campaign_fills row). Quantities are in the input's quantity units; money is double.
/// </summary>
public sealed class CampaignTable
{
    private long[] _groupId = [], _openedTicks = [], _closedTicks = [], _entryUnits = [], _exitUnits = [], _maxUnits = [], _legUnits = [];
    private int[] _series = [], _legRow = [], _legCampaign = [];
    private bool[] _isLong = [];
    private double[] _entryNotional = [], _exitNotional = [], _realisedPnl = [], _matchedCost = [], _fees = [], _legFees = [];

    internal CampaignTable(int capacity, int legCapacity)
    {
        GrowCampaigns(capacity);
        GrowLegs(legCapacity);
    }

    public int Count { get; internal set; }
    public int LegCount { get; internal set; }

    /// <summary>The input's quantity units per unit of quantity.</summary>
    public long QuantityScale { get; internal init; }

    public long[] GroupId => _groupId;
    public int[] Series => _series;
    public bool[] IsLong => _isLong;
    public long[] OpenedTicks => _openedTicks;

    /// <summary>UTC ticks of the closing fill; <see cref="OpenMarker"/> while open.</summary>
    public long[] ClosedTicks => _closedTicks;

    public long[] EntryUnits => _entryUnits;
    public long[] ExitUnits => _exitUnits;
    public long[] MaxUnits => _maxUnits;

    /// <summary>Σ price × units of the entry legs (divide by <see cref="EntryUnits"/> for the average price).</summary>
    public double[] EntryNotional => _entryNotional;

    public double[] ExitNotional => _exitNotional;
    public double[] RealisedPnl => _realisedPnl;
    public double[] MatchedCost => _matchedCost;
    public double[] Fees => _fees;

    /// <summary>The leg's row in the input columns.</summary>
    public int[] LegRow => _legRow;

    /// <summary>The leg's quantity units in its campaign, signed as the fill (+ buy, − sell).</summary>
    public long[] LegUnits => _legUnits;

    public double[] LegFees => _legFees;

    /// <summary>The leg's campaign (an index into the campaign columns).</summary>
    public int[] LegCampaign => _legCampaign;

    public const long OpenMarker = long.MinValue;

    public bool IsOpen(int c) => ClosedTicks[c] == OpenMarker;
    public double EntryAverage(int c) => EntryNotional[c] / EntryUnits[c];
    public double? ExitAverage(int c) => ExitUnits[c] > 0 ? ExitNotional[c] / ExitUnits[c] : null;
    public long OpenUnits(int c) => EntryUnits[c] - ExitUnits[c];
    public double? ReturnPct(int c) => MatchedCost[c] != 0 ? RealisedPnl[c] / MatchedCost[c] * 100 : null;

    internal void GrowCampaigns(int size)
    {
        Grow(ref _groupId, size);
        Grow(ref _series, size);
        Grow(ref _isLong, size);
        Grow(ref _openedTicks, size);
        Grow(ref _closedTicks, size);
        Grow(ref _entryUnits, size);
        Grow(ref _exitUnits, size);
        Grow(ref _maxUnits, size);
        Grow(ref _entryNotional, size);
        Grow(ref _exitNotional, size);
        Grow(ref _realisedPnl, size);
        Grow(ref _matchedCost, size);
        Grow(ref _fees, size);
    }

    /// <summary>Resizes without zeroing the new part: the builder writes every element it counts before reading it.</summary>
    private static void Grow<T>(ref T[] array, int size)
    {
        var grown = GC.AllocateUninitializedArray<T>(size);
        array.AsSpan(0, Math.Min(array.Length, size)).CopyTo(grown);
        array = grown;
    }

    internal void GrowLegs(int size)
    {
        Grow(ref _legRow, size);
        Grow(ref _legUnits, size);
        Grow(ref _legFees, size);
        Grow(ref _legCampaign, size);
    }
}

/// <summary>
/// The columnar fast path of <see cref="CampaignBuilder"/>: the same FIFO zero-crossing rules (see there) over
/// <see cref="FillColumns"/>, with integer positions (so zero is exactly zero) and double money. It produces the same
/// groups, legs and quantities as the general builder and the same money to double precision (tested on random ledgers).
/// One difference: P&amp;L uses the series' multiplier (<see cref="FillColumns.MultiplierOf"/>), not each fill's.
/// <para>How: one pass over the fills in execution order (time, then id) for all series at once, each series' running
/// state (position, current campaign, sums) in a small array indexed by series that stays in cache; the input is read
/// sequentially. Ledgers are usually chronological already (checked in one pass); otherwise the rows are sorted first.
/// A closed campaign's realised P&amp;L needs no lot matching (everything bought was sold: ±(exit notional − entry
/// notional) × multiplier − fees); only campaigns still open with exits get their FIFO cost and entry fees from a second
/// pass over the legs.</para>
/// </summary>
public static class FastCampaignBuilder
{
    private struct SeriesState
    {
        public long Position;
        public int Campaign;
        public long EntryUnits, ExitUnits, MaxUnits;
        public double EntryNotional, ExitNotional, Fees;
    }

    public static CampaignTable Build(FillColumns fills)
    {
        ArgumentNullException.ThrowIfNull(fills);
        var n = fills.Count;
        var order = InExecutionOrder(fills) ? null : SortedOrder(fills);
        var ids = fills.Id;
        var ticks = fills.Ticks;
        var unitsColumn = fills.SignedUnits;
        var prices = fills.Price;
        var feesColumn = fills.Fees;
        var seriesColumn = fills.Series;

        var table = new CampaignTable(Math.Max(16, n / 3), Math.Max(16, n + n / 8)) { QuantityScale = fills.QuantityScale };
        var states = new SeriesState[fills.SeriesCount];
        var perUnit = new double[fills.SeriesCount];
        for (var s = 0; s < perUnit.Length; s++) perUnit[s] = fills.MultiplierOf(s) / fills.QuantityScale;
        var campaigns = 0;
        var legs = 0;

        for (var k = 0; k < n; k++)
        {
            var r = order is null ? k : order[k];
            var series = seriesColumn[r];
            ref var st = ref states[series];
            var u = unitsColumn[r];
            var price = prices[r];
            var fee = feesColumn[r];
            if (legs + 2 > table.LegRow.Length) table.GrowLegs(table.LegRow.Length * 2);
            if (st.Position == 0)
            {
                if (campaigns == table.GroupId.Length) table.GrowCampaigns(campaigns * 2);
                Open(table, ref st, campaigns++, series, ids[r], ticks[r], u, price, fee);
                AddLeg(table, legs++, r, u, fee, st.Campaign);
                continue;
            }
            if ((u > 0) == (st.Position > 0))
            {
                AddLeg(table, legs++, r, u, fee, st.Campaign);
                var q = Math.Abs(u);
                st.EntryUnits += q;
                st.EntryNotional += price * q;
                st.Fees += fee;
                st.Position += u;
                st.MaxUnits = Math.Max(st.MaxUnits, Math.Abs(st.Position));
                continue;
            }
            var held = Math.Abs(st.Position);
            var size = Math.Abs(u);
            if (size <= held)
            {
                AddLeg(table, legs++, r, u, fee, st.Campaign);
                st.ExitUnits += size;
                st.ExitNotional += price * size;
                st.Fees += fee;
                st.Position += u;
                if (st.Position == 0) Close(table, ref st, ticks[r], perUnit[series]);
                continue;
            }
            // A flip: close with the held quantity, open the next campaign with the rest; fees pro rata.
            var closingFees = fee * held / size;
            AddLeg(table, legs++, r, u > 0 ? held : -held, closingFees, st.Campaign);
            st.ExitUnits += held;
            st.ExitNotional += price * held;
            st.Fees += closingFees;
            st.Position = 0;
            Close(table, ref st, ticks[r], perUnit[series]);
            if (campaigns == table.GroupId.Length) table.GrowCampaigns(campaigns * 2);
            var rest = u > 0 ? size - held : held - size;
            Open(table, ref st, campaigns++, series, ids[r], ticks[r], rest, price, fee - closingFees);
            AddLeg(table, legs++, r, rest, fee - closingFees, st.Campaign);
        }

        // Campaigns still open: store their sums; those with exits need the FIFO cost of the exited quantity.
        var pending = new Dictionary<int, (long Left, double Cost, double EntryFees, double ExitFees)>();
        for (var s = 0; s < states.Length; s++)
        {
            ref var st = ref states[s];
            if (st.Position == 0) continue;
            var c = st.Campaign;
            Store(table, ref st);
            if (st.ExitUnits > 0) pending[c] = (st.ExitUnits, 0, 0, 0);
        }
        if (pending.Count > 0)
        {
            var first = pending.Keys.Min();
            for (var l = 0; l < legs; l++)
            {
                var c = table.LegCampaign[l];
                if (c < first || table.ClosedTicks[c] != CampaignTable.OpenMarker || !pending.TryGetValue(c, out var p)) continue;
                var units = table.LegUnits[l];
                if ((units > 0) != table.IsLong[c]) p.ExitFees += table.LegFees[l];
                else if (p.Left > 0)
                {
                    var q = Math.Abs(units);
                    var take = Math.Min(q, p.Left);
                    p.Cost += prices[table.LegRow[l]] * take;
                    p.EntryFees += take == q ? table.LegFees[l] : table.LegFees[l] * take / q;
                    p.Left -= take;
                }
                pending[c] = p;
            }
            foreach (var (c, p) in pending)
            {
                var scale = perUnit[table.Series[c]];
                var sign = table.IsLong[c] ? 1.0 : -1.0;
                table.RealisedPnl[c] = sign * (table.ExitNotional[c] - p.Cost) * scale - p.ExitFees - p.EntryFees;
                table.MatchedCost[c] = p.Cost * scale;
            }
        }
        table.Count = campaigns;
        table.LegCount = legs;
        return table;
    }

    private static void AddLeg(CampaignTable table, int leg, int row, long units, double fees, int campaign)
    {
        table.LegRow[leg] = row;
        table.LegUnits[leg] = units;
        table.LegFees[leg] = fees;
        table.LegCampaign[leg] = campaign;
    }

    private static void Open(CampaignTable table, ref SeriesState st, int c, int series, long id, long ticks, long units, double price, double fees)
    {
        table.GroupId[c] = id;
        table.Series[c] = series;
        table.IsLong[c] = units > 0;
        table.OpenedTicks[c] = ticks;
        table.ClosedTicks[c] = CampaignTable.OpenMarker;
        var q = Math.Abs(units);
        st.Campaign = c;
        st.Position = units;
        st.EntryUnits = q;
        st.MaxUnits = q;
        st.ExitUnits = 0;
        st.EntryNotional = price * q;
        st.ExitNotional = 0;
        st.Fees = fees;
    }

    private static void Store(CampaignTable table, ref SeriesState st)
    {
        var c = st.Campaign;
        table.EntryUnits[c] = st.EntryUnits;
        table.ExitUnits[c] = st.ExitUnits;
        table.MaxUnits[c] = st.MaxUnits;
        table.EntryNotional[c] = st.EntryNotional;
        table.ExitNotional[c] = st.ExitNotional;
        table.Fees[c] = st.Fees;
        table.RealisedPnl[c] = 0;
        table.MatchedCost[c] = 0;
    }

    private static void Close(CampaignTable table, ref SeriesState st, long ticks, double perUnit)
    {
        Store(table, ref st);
        var c = st.Campaign;
        table.ClosedTicks[c] = ticks;
        var sign = table.IsLong[c] ? 1.0 : -1.0;
        table.RealisedPnl[c] = sign * (st.ExitNotional - st.EntryNotional) * perUnit - st.Fees;
        table.MatchedCost[c] = st.EntryNotional * perUnit;
    }

    private static bool InExecutionOrder(FillColumns fills)
    {
        var ticks = fills.Ticks;
        var ids = fills.Id;
        for (var i = 1; i < ticks.Length; i++)
        {
            if (ticks[i] < ticks[i - 1] || (ticks[i] == ticks[i - 1] && ids[i] <= ids[i - 1])) return false;
        }
        return true;
    }

    /// <summary>Row indices in (time, id) order.</summary>
    private static int[] SortedOrder(FillColumns fills)
    {
        var ticks = fills.Ticks.ToArray();
        var ids = fills.Id.ToArray();
        var order = new int[fills.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            var byTime = ticks[a].CompareTo(ticks[b]);
            return byTime != 0 ? byTime : ids[a].CompareTo(ids[b]);
        });
        return order;
    }
}
