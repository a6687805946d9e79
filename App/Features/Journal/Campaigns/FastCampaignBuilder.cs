namespace Signalbook.Features.Journal.Campaigns;

/// <summary>
/// Campaigns as columns, from <see cref="FastCampaignBuilder.Build"/>. Campaign c's legs are rows
/// <c>LegStart[c] .. LegStart[c + 1] − 1</c> of the leg columns, in execution order. Campaigns are ordered by series
/// (first appearance in the input), then time. Quantities are in the input's quantity units; money is double.
/// </summary>
public sealed class CampaignTable
{
    internal CampaignTable(int capacity, int legCapacity)
    {
        GroupId = new long[capacity];
        Series = new int[capacity];
        IsLong = new bool[capacity];
        OpenedTicks = new long[capacity];
        ClosedTicks = new long[capacity];
        EntryUnits = new long[capacity];
        ExitUnits = new long[capacity];
        MaxUnits = new long[capacity];
        EntryNotional = new double[capacity];
        ExitNotional = new double[capacity];
        RealisedPnl = new double[capacity];
        MatchedCost = new double[capacity];
        Fees = new double[capacity];
        LegStart = new int[capacity + 1];
        LegRow = new int[legCapacity];
        LegUnits = new long[legCapacity];
        LegFees = new double[legCapacity];
    }

    public int Count { get; internal set; }
    public int LegCount { get; internal set; }

    /// <summary>The input's quantity units per unit of quantity.</summary>
    public long QuantityScale { get; internal init; }

    public long[] GroupId { get; }
    public int[] Series { get; }
    public bool[] IsLong { get; }
    public long[] OpenedTicks { get; }

    /// <summary>UTC ticks of the closing fill; <see cref="OpenMarker"/> while open.</summary>
    public long[] ClosedTicks { get; }

    public long[] EntryUnits { get; }
    public long[] ExitUnits { get; }
    public long[] MaxUnits { get; }

    /// <summary>Σ price × units of the entry legs (divide by <see cref="EntryUnits"/> for the average price).</summary>
    public double[] EntryNotional { get; }

    public double[] ExitNotional { get; }
    public double[] RealisedPnl { get; }
    public double[] MatchedCost { get; }
    public double[] Fees { get; }
    public int[] LegStart { get; }

    /// <summary>The leg's row in the input columns.</summary>
    public int[] LegRow { get; }

    /// <summary>The leg's quantity units in this campaign, signed as the fill (+ buy, − sell).</summary>
    public long[] LegUnits { get; }

    public double[] LegFees { get; }

    public const long OpenMarker = long.MinValue;

    public bool IsOpen(int c) => ClosedTicks[c] == OpenMarker;
    public double EntryAverage(int c) => EntryNotional[c] / EntryUnits[c];
    public double? ExitAverage(int c) => ExitUnits[c] > 0 ? ExitNotional[c] / ExitUnits[c] : null;
    public long OpenUnits(int c) => EntryUnits[c] - ExitUnits[c];
    public double? ReturnPct(int c) => MatchedCost[c] != 0 ? RealisedPnl[c] / MatchedCost[c] * 100 : null;
}

/// <summary>
/// The columnar fast path of <see cref="CampaignBuilder"/>: the same FIFO zero-crossing rules (see there) over
/// <see cref="FillColumns"/>, with integer positions (so zero is exactly zero) and double money. It produces the same
/// groups, legs and quantities as the general builder and the same money to double precision (tested on random ledgers).
/// One difference: P&amp;L uses the series' multiplier (<see cref="FillColumns.MultiplierOf"/>), not each fill's.
/// <para>How: rows are put in (series, time, id) order by a counting sort on series, stable on the input order, and each
/// series is sorted by (time, id) only when it is not already (ledgers are usually chronological); one pass then walks
/// every series. A closed campaign's realised P&amp;L needs no lot matching (everything bought was sold:
/// ±(exit notional − entry notional) × multiplier − fees); only a series' last, still open campaign with exits walks its
/// entry legs for the FIFO cost of the matched quantity.</para>
/// </summary>
public static class FastCampaignBuilder
{
    public static CampaignTable Build(FillColumns fills)
    {
        ArgumentNullException.ThrowIfNull(fills);
        var n = fills.Count;
        var order = Order(fills);
        var ids = fills.Id;
        var ticks = fills.Ticks;
        var unitsColumn = fills.SignedUnits;
        var prices = fills.Price;
        var feesColumn = fills.Fees;
        var seriesColumn = fills.Series;

        // Every fill opens at most one campaign and gives at most two legs.
        var table = new CampaignTable(Math.Max(n, 1), Math.Max(2 * n, 1)) { QuantityScale = fills.QuantityScale };
        var scale = (double)fills.QuantityScale;
        var c = -1;
        var legs = 0;
        long position = 0;
        var currentSeries = -1;
        var multiplier = 1.0;
        var groupId = table.GroupId;
        var legRow = table.LegRow;
        var legUnits = table.LegUnits;
        var legFees = table.LegFees;
        long entryUnits = 0, exitUnits = 0, maxUnits = 0;
        double entryNotional = 0, exitNotional = 0, fees = 0;

        for (var k = 0; k < n; k++)
        {
            var r = order[k];
            var series = seriesColumn[r];
            if (series != currentSeries)
            {
                if (position != 0) Finish(table, c, legs, entryUnits, exitUnits, maxUnits, entryNotional, exitNotional, fees, multiplier, scale, prices, open: true);
                position = 0;
                currentSeries = series;
                multiplier = fills.MultiplierOf(series);
            }
            var u = unitsColumn[r];
            var price = prices[r];
            if (position == 0)
            {
                c++;
                Open(table, c, legs, series, ids[r], ticks[r], u > 0);
                entryUnits = exitUnits = maxUnits = 0;
                entryNotional = exitNotional = fees = 0;
                legRow[legs] = r;
                legUnits[legs] = u;
                legFees[legs] = feesColumn[r];
                legs++;
                var q = Math.Abs(u);
                entryUnits = q;
                maxUnits = q;
                entryNotional = price * q;
                fees = feesColumn[r];
                position = u;
                continue;
            }
            if ((u > 0) == (position > 0))
            {
                legRow[legs] = r;
                legUnits[legs] = u;
                legFees[legs] = feesColumn[r];
                legs++;
                var q = Math.Abs(u);
                entryUnits += q;
                entryNotional += price * q;
                fees += feesColumn[r];
                position += u;
                maxUnits = Math.Max(maxUnits, Math.Abs(position));
                continue;
            }
            var held = Math.Abs(position);
            var size = Math.Abs(u);
            if (size <= held)
            {
                legRow[legs] = r;
                legUnits[legs] = u;
                legFees[legs] = feesColumn[r];
                legs++;
                exitUnits += size;
                exitNotional += price * size;
                fees += feesColumn[r];
                position += u;
                if (position == 0)
                {
                    table.ClosedTicks[c] = ticks[r];
                    Finish(table, c, legs, entryUnits, exitUnits, maxUnits, entryNotional, exitNotional, fees, multiplier, scale, prices, open: false);
                }
                continue;
            }
            // A flip: close with the held quantity, open the next campaign with the rest; fees pro rata.
            var closingFees = feesColumn[r] * held / size;
            legRow[legs] = r;
            legUnits[legs] = u > 0 ? held : -held;
            legFees[legs] = closingFees;
            legs++;
            exitUnits += held;
            exitNotional += price * held;
            fees += closingFees;
            table.ClosedTicks[c] = ticks[r];
            Finish(table, c, legs, entryUnits, exitUnits, maxUnits, entryNotional, exitNotional, fees, multiplier, scale, prices, open: false);

            c++;
            Open(table, c, legs, series, ids[r], ticks[r], u > 0);
            var rest = size - held;
            legRow[legs] = r;
            legUnits[legs] = u > 0 ? rest : -rest;
            legFees[legs] = feesColumn[r] - closingFees;
            legs++;
            entryUnits = rest;
            exitUnits = 0;
            maxUnits = rest;
            entryNotional = price * rest;
            exitNotional = 0;
            fees = feesColumn[r] - closingFees;
            position += u;
        }
        if (position != 0) Finish(table, c, legs, entryUnits, exitUnits, maxUnits, entryNotional, exitNotional, fees, multiplier, scale, prices, open: true);
        table.Count = c + 1;
        table.LegCount = legs;
        table.LegStart[c + 1] = legs;
        return table;
    }

    private static void Open(CampaignTable table, int c, int legs, int series, long id, long ticks, bool isLong)
    {
        table.GroupId[c] = id;
        table.Series[c] = series;
        table.IsLong[c] = isLong;
        table.OpenedTicks[c] = ticks;
        table.ClosedTicks[c] = CampaignTable.OpenMarker;
        table.LegStart[c] = legs;
    }

    private static void Finish(CampaignTable table, int c, int legEnd, long entryUnits, long exitUnits, long maxUnits, double entryNotional,
        double exitNotional, double fees, double multiplier, double scale, ReadOnlySpan<double> prices, bool open)
    {
        table.EntryUnits[c] = entryUnits;
        table.ExitUnits[c] = exitUnits;
        table.MaxUnits[c] = maxUnits;
        table.EntryNotional[c] = entryNotional;
        table.ExitNotional[c] = exitNotional;
        table.Fees[c] = fees;
        var sign = table.IsLong[c] ? 1.0 : -1.0;
        var perUnit = multiplier / scale;
        if (!open)
        {
            table.RealisedPnl[c] = sign * (exitNotional - entryNotional) * perUnit - fees;
            table.MatchedCost[c] = entryNotional * perUnit;
            return;
        }
        if (exitUnits == 0)
        {
            table.RealisedPnl[c] = 0;
            table.MatchedCost[c] = 0;
            return;
        }
        // Open with exits: the FIFO cost and entry fees of the first exitUnits entry units; exit fees are all realised.
        double cost = 0, entryFees = 0, exitFees = 0;
        var left = exitUnits;
        for (var l = table.LegStart[c]; l < legEnd; l++)
        {
            var units = table.LegUnits[l];
            var isEntry = (units > 0) == table.IsLong[c];
            if (!isEntry)
            {
                exitFees += table.LegFees[l];
                continue;
            }
            if (left == 0) continue;
            var q = Math.Abs(units);
            var take = Math.Min(q, left);
            cost += prices[table.LegRow[l]] * take;
            entryFees += take == q ? table.LegFees[l] : table.LegFees[l] * take / q;
            left -= take;
        }
        table.RealisedPnl[c] = sign * (exitNotional - cost) * perUnit - exitFees - entryFees;
        table.MatchedCost[c] = cost * perUnit;
    }

    /// <summary>Row indices in (series, time, id) order.</summary>
    private static int[] Order(FillColumns fills)
    {
        var n = fills.Count;
        var seriesColumn = fills.Series;
        var counts = new int[fills.SeriesCount + 1];
        for (var i = 0; i < n; i++) counts[seriesColumn[i] + 1]++;
        for (var s = 0; s < fills.SeriesCount; s++) counts[s + 1] += counts[s];
        var starts = (int[])counts.Clone();
        var order = new int[n];
        for (var i = 0; i < n; i++) order[counts[seriesColumn[i]]++] = i;

        var ticks = fills.Ticks;
        var ids = fills.Id;
        for (var s = 0; s < fills.SeriesCount; s++)
        {
            var segment = order.AsSpan(starts[s], starts[s + 1] - starts[s]);
            var sorted = true;
            for (var k = 1; k < segment.Length && sorted; k++)
            {
                int a = segment[k - 1], b = segment[k];
                sorted = ticks[a] < ticks[b] || (ticks[a] == ticks[b] && ids[a] < ids[b]);
            }
            if (sorted) continue;
            var keyTicks = new long[segment.Length];
            var keyIds = new long[segment.Length];
            for (var k = 0; k < segment.Length; k++)
            {
                keyTicks[k] = ticks[segment[k]];
                keyIds[k] = ids[segment[k]];
            }
            var index = Enumerable.Range(0, segment.Length).ToArray();
            Array.Sort(index, (x, y) =>
            {
                var byTime = keyTicks[x].CompareTo(keyTicks[y]);
                return byTime != 0 ? byTime : keyIds[x].CompareTo(keyIds[y]);
            });
            var rows = segment.ToArray();
            for (var k = 0; k < segment.Length; k++) segment[k] = rows[index[k]];
        }
        return order;
    }
}
