using Signalbook.Features.Journal.Import;

namespace Signalbook.Features.Journal.Campaigns;

/// <summary>
/// Fills as columns, for <see cref="FastCampaignBuilder"/>: each row has an id, a series index (symbol and asset type,
/// interned by <see cref="SeriesIndex"/>), the execution time in UTC ticks, the signed quantity as an integer number of
/// quantity units (quantity × 10^<see cref="QuantityDecimals"/>: + buy, − sell, so positions add up exactly), price and
/// fees as doubles. Rows may be in any order.
/// </summary>
public sealed class FillColumns
{
    private readonly Dictionary<SeriesKey, int> _series = [];
    private readonly List<SeriesKey> _seriesKeys = [];
    private readonly List<double> _seriesMultiplier = [];
    private long[] _id, _ticks, _units;
    private int[] _seriesOf;
    private double[] _price, _fees;

    /// <param name="quantityDecimals">Decimal places kept of quantities (0 for whole shares, 8 for crypto); at most 12.</param>
    public FillColumns(int capacity = 1024, int quantityDecimals = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(quantityDecimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quantityDecimals, 12);
        QuantityDecimals = quantityDecimals;
        QuantityScale = (long)Math.Pow(10, quantityDecimals);
        capacity = Math.Max(capacity, 16);
        _id = new long[capacity];
        _ticks = new long[capacity];
        _units = new long[capacity];
        _seriesOf = new int[capacity];
        _price = new double[capacity];
        _fees = new double[capacity];
    }

    public int QuantityDecimals { get; }

    /// <summary>Quantity units per unit of quantity (10^<see cref="QuantityDecimals"/>).</summary>
    public long QuantityScale { get; }

    public int Count { get; private set; }

    public ReadOnlySpan<long> Id => _id.AsSpan(0, Count);
    public ReadOnlySpan<int> Series => _seriesOf.AsSpan(0, Count);
    public ReadOnlySpan<long> Ticks => _ticks.AsSpan(0, Count);
    public ReadOnlySpan<long> SignedUnits => _units.AsSpan(0, Count);
    public ReadOnlySpan<double> Price => _price.AsSpan(0, Count);
    public ReadOnlySpan<double> Fees => _fees.AsSpan(0, Count);

    public int SeriesCount => _seriesKeys.Count;

    public SeriesKey SeriesKeyOf(int series) => _seriesKeys[series];

    /// <summary>Units per contract of the series (the multiplier of its first fill added).</summary>
    public double MultiplierOf(int series) => _seriesMultiplier[series];

    /// <summary>The index of a series, added on first sight with the given multiplier.</summary>
    public int SeriesIndex(string symbol, FillAssetType assetType, double multiplier = 1)
    {
        var key = new SeriesKey(symbol, assetType);
        if (_series.TryGetValue(key, out var index)) return index;
        index = _seriesKeys.Count;
        _series.Add(key, index);
        _seriesKeys.Add(key);
        _seriesMultiplier.Add(multiplier);
        return index;
    }

    /// <summary>Adds a row; <paramref name="signedUnits"/> is the quantity in units, positive for a buy, negative for a sell, never 0.</summary>
    public void Add(long id, int series, long utcTicks, long signedUnits, double price, double fees)
    {
        if (signedUnits == 0) throw new ArgumentException($"Fill {id}: the quantity must not be zero.", nameof(signedUnits));
        if ((uint)series >= (uint)_seriesKeys.Count) throw new ArgumentOutOfRangeException(nameof(series), "Unknown series: get it from SeriesIndex.");
        if (Count == _id.Length) Grow();
        var i = Count++;
        _id[i] = id;
        _seriesOf[i] = series;
        _ticks[i] = utcTicks;
        _units[i] = signedUnits;
        _price[i] = price;
        _fees[i] = fees;
    }

    /// <summary>The columns of ledger fills; throws when a quantity has more than <paramref name="quantityDecimals"/> decimals.</summary>
    public static FillColumns From(IReadOnlyCollection<LedgerFill> fills, int quantityDecimals = 0)
    {
        var columns = new FillColumns(fills.Count, quantityDecimals);
        foreach (var f in fills)
        {
            var scaled = f.Quantity * columns.QuantityScale;
            if (scaled != decimal.Truncate(scaled) || f.Quantity <= 0)
                throw new ArgumentException($"Fill {f.Id}: quantity {f.Quantity} is not a positive multiple of 10^-{quantityDecimals}.", nameof(fills));
            var units = (long)scaled;
            var series = columns.SeriesIndex(f.Symbol, f.AssetType, (double)f.Multiplier);
            columns.Add(f.Id, series, f.ExecutedAt.UtcTicks, f.Side == FillSide.Buy ? units : -units, (double)f.Price, (double)f.Fees);
        }
        return columns;
    }

    private void Grow()
    {
        var size = _id.Length * 2;
        Array.Resize(ref _id, size);
        Array.Resize(ref _ticks, size);
        Array.Resize(ref _units, size);
        Array.Resize(ref _seriesOf, size);
        Array.Resize(ref _price, size);
        Array.Resize(ref _fees, size);
    }
}
