using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Indicators;
using Signalbook.Features.Regimes;

namespace Signalbook.Features.MarketData;

public sealed record MarketRow(long Id, string Symbol, string? Name, string Exchange, string? Sector, DateTimeOffset? LastTs, double? LastClose,
    double? Ret1d, double? Ret5d, double? Ret20d, double? Rsi14, string? Regime = null);

public sealed record MarketQuery(string? Search = null, string? Exchange = null, string? Sector = null, string SortBy = nameof(MarketRow.Symbol),
    bool Descending = false, int Skip = 0, int Take = 25, string? Regime = null);

/// <summary>One bar of the Instrument chart with its overlays (Bollinger 20, 2 computed over the bars before the range too).</summary>
public sealed record ChartBar(DateTimeOffset Ts, double Open, double High, double Low, double Close, double Volume,
    double? Sma50, double? Ema20, double? Rsi14, double? Macd, double? MacdSignal, double? MacdHist,
    double? Sma200 = null, double? BollingerUpper = null, double? BollingerLower = null);

public sealed record InstrumentHeader(long Id, string Symbol, string? Name, string Exchange, string? Sector, string? MarketCapBucket, string Currency, string TimeZone);

/// <summary>What the Markets and Instrument pages read: latest values per instrument, and chart series.</summary>
public sealed class MarketsService(IDbContextFactory<AppDbContext> factory)
{
    public async Task<(IReadOnlyList<MarketRow> Rows, int Total)> QueryAsync(MarketQuery q, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var instruments = db.Instruments.AsNoTracking().Where(i => i.IsActive);
        if (!string.IsNullOrWhiteSpace(q.Search))
        {
            var term = $"%{q.Search.Trim()}%";
            instruments = instruments.Where(i => EF.Functions.ILike(i.Symbol, term) || EF.Functions.ILike(i.Name ?? "", term));
        }
        if (!string.IsNullOrWhiteSpace(q.Exchange)) instruments = instruments.Where(i => i.Exchange == q.Exchange);
        if (!string.IsNullOrWhiteSpace(q.Sector)) instruments = instruments.Where(i => i.Sector == q.Sector);

        // A flat anonymous projection (EF orders by its members; it cannot order by a record's constructor arguments).
        var rows = instruments.Select(i => new
        {
            i.Id, i.Symbol, i.Name, i.Exchange, i.Sector,
            LastTs = db.PriceBars.Where(p => p.InstrumentId == i.Id && p.Interval == Intervals.OneDay).OrderByDescending(p => p.Ts)
                .Select(p => (DateTimeOffset?)p.Ts).FirstOrDefault(),
            LastClose = db.PriceBars.Where(p => p.InstrumentId == i.Id && p.Interval == Intervals.OneDay).OrderByDescending(p => p.Ts)
                .Select(p => (double?)p.Close).FirstOrDefault(),
            Feature = db.Features.Where(f => f.InstrumentId == i.Id && f.Interval == Intervals.OneDay).OrderByDescending(f => f.Ts)
                .Select(f => new { f.Ret1d, f.Ret5d, f.Ret20d, f.Rsi14 }).FirstOrDefault(),
            // The regime of the latest daily bar, named by the model that wrote it (−1: out of the model's distribution).
            Regime = db.Features.Where(f => f.InstrumentId == i.Id && f.Interval == Intervals.OneDay).OrderByDescending(f => f.Ts)
                .Select(f => f.StateId == -1
                    ? RegimeFeatures.Unusual
                    : db.RegimeModels.Where(m => m.ModelId == f.ModelId).Select(m => m.StateNames[f.StateId!.Value]).FirstOrDefault())
                .FirstOrDefault(),
        });
        if (!string.IsNullOrWhiteSpace(q.Regime)) rows = rows.Where(r => r.Regime == q.Regime);
        var total = await rows.CountAsync(ct);

        rows = (q.SortBy, q.Descending) switch
        {
            (nameof(MarketRow.Name), false) => rows.OrderBy(r => r.Name),
            (nameof(MarketRow.Name), true) => rows.OrderByDescending(r => r.Name),
            (nameof(MarketRow.Sector), false) => rows.OrderBy(r => r.Sector).ThenBy(r => r.Symbol),
            (nameof(MarketRow.Sector), true) => rows.OrderByDescending(r => r.Sector).ThenBy(r => r.Symbol),
            (nameof(MarketRow.LastClose), false) => rows.OrderBy(r => r.LastClose),
            (nameof(MarketRow.LastClose), true) => rows.OrderByDescending(r => r.LastClose),
            (nameof(MarketRow.Ret1d), false) => rows.OrderBy(r => r.Feature!.Ret1d),
            (nameof(MarketRow.Ret1d), true) => rows.OrderByDescending(r => r.Feature!.Ret1d),
            (nameof(MarketRow.Ret5d), false) => rows.OrderBy(r => r.Feature!.Ret5d),
            (nameof(MarketRow.Ret5d), true) => rows.OrderByDescending(r => r.Feature!.Ret5d),
            (nameof(MarketRow.Ret20d), false) => rows.OrderBy(r => r.Feature!.Ret20d),
            (nameof(MarketRow.Ret20d), true) => rows.OrderByDescending(r => r.Feature!.Ret20d),
            (nameof(MarketRow.Rsi14), false) => rows.OrderBy(r => r.Feature!.Rsi14),
            (nameof(MarketRow.Rsi14), true) => rows.OrderByDescending(r => r.Feature!.Rsi14),
            (_, true) => rows.OrderByDescending(r => r.Symbol),
            _ => rows.OrderBy(r => r.Symbol),
        };
        var page = await rows.Skip(q.Skip).Take(q.Take).ToListAsync(ct);
        return (page.Select(x => new MarketRow(x.Id, x.Symbol, x.Name, x.Exchange, x.Sector, x.LastTs, x.LastClose,
            x.Feature?.Ret1d, x.Feature?.Ret5d, x.Feature?.Ret20d, x.Feature?.Rsi14, x.Regime)).ToList(), total);
    }

    public async Task<(IReadOnlyList<string> Exchanges, IReadOnlyList<string> Sectors)> FacetsAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var exchanges = await db.Instruments.Where(i => i.IsActive).Select(i => i.Exchange).Distinct().OrderBy(e => e).ToListAsync(ct);
        var sectors = await db.Instruments.Where(i => i.IsActive && i.Sector != null).Select(i => i.Sector!).Distinct().OrderBy(s => s).ToListAsync(ct);
        return (exchanges, sectors);
    }

    /// <summary>The regime names any stored model uses, calmest first, and "unusual": the Markets page's regime filter.</summary>
    public async Task<IReadOnlyList<string>> RegimeNamesAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var lists = await db.RegimeModels.AsNoTracking().Select(m => m.StateNames).Distinct().ToListAsync(ct);
        var names = lists.OrderBy(l => l.Count).SelectMany(l => l).Distinct().ToList();
        if (names.Count > 0) names.Add(RegimeFeatures.Unusual);
        return names;
    }

    public async Task<InstrumentHeader?> InstrumentAsync(long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Instruments.AsNoTracking().Where(i => i.Id == id)
            .Select(i => new InstrumentHeader(i.Id, i.Symbol, i.Name, i.Exchange, i.Sector, i.MarketCapBucket, i.Currency, i.TimeZone)).SingleOrDefaultAsync(ct);
    }

    /// <summary>
    /// The chart's range counted back from the instrument's newest bar of that size, not from today: an imported history
    /// that ended years ago still shows its last <paramref name="range"/> (empty when there are no bars).
    /// </summary>
    public async Task<IReadOnlyList<ChartBar>> ChartLatestAsync(long id, string interval, TimeSpan range, CancellationToken ct = default)
    {
        DateTimeOffset? newest;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            newest = await db.PriceBars.AsNoTracking().Where(p => p.InstrumentId == id && p.Interval == interval)
                .MaxAsync(p => (DateTimeOffset?)p.Ts, ct);
        }
        return newest is { } last ? await ChartAsync(id, interval, last - range, ct) : [];
    }

    /// <summary>The bars since a time (at most <paramref name="limit"/>, the latest), oldest first, with their features.</summary>
    public async Task<IReadOnlyList<ChartBar>> ChartAsync(long id, string interval, DateTimeOffset since, CancellationToken ct = default, int limit = 5000)
    {
        const int bollingerPeriod = 20;
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await (from p in db.PriceBars.AsNoTracking()
                          where p.InstrumentId == id && p.Interval == interval && p.Ts >= since
                          join f in db.Features.AsNoTracking() on new { p.InstrumentId, p.Interval, p.Ts } equals new { f.InstrumentId, f.Interval, f.Ts } into fs
                          from f in fs.DefaultIfEmpty()
                          orderby p.Ts descending
                          select new { p.Ts, p.Open, p.High, p.Low, p.Close, p.Volume, Rsi = f == null ? null : f.Rsi14, Additional = f == null ? null : f.Additional })
            .Take(limit).ToListAsync(ct);
        rows.Reverse();
        if (rows.Count == 0) return [];

        // Bollinger bands are not stored as prices; the bars before the range warm them up so the first bar shown has its band.
        var first = rows[0].Ts;
        var warmup = await db.PriceBars.AsNoTracking().Where(p => p.InstrumentId == id && p.Interval == interval && p.Ts < first)
            .OrderByDescending(p => p.Ts).Take(bollingerPeriod - 1).Select(p => p.Close).ToListAsync(ct);
        warmup.Reverse();
        var closes = warmup.Concat(rows.Select(r => r.Close)).ToArray();
        var bands = Kernels.Bollinger(closes, bollingerPeriod);
        double? At(double[] series, int i) => double.IsNaN(series[i + warmup.Count]) ? null : series[i + warmup.Count];

        return rows.Select((r, i) =>
        {
            var a = r.Additional is null ? null : JsonSerializer.Deserialize<Dictionary<string, double>>(r.Additional);
            double? Get(string name) => a is not null && a.TryGetValue(name, out var v) ? v : null;
            return new ChartBar(r.Ts, r.Open, r.High, r.Low, r.Close, r.Volume, Get("sma_50"), Get("ema_20"), r.Rsi, Get("macd"), Get("macd_signal"), Get("macd_hist"),
                Get("sma_200"), At(bands.Upper, i), At(bands.Lower, i));
        }).ToList();
    }
}
