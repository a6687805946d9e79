using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;

namespace Signalbook.Features.Models;

/// <summary>
/// Reads what models learn from and score on: each instrument's stored daily features (current feature version)
/// with its close and regime state, oldest first, as <see cref="InstrumentFeatures"/>.
/// </summary>
public sealed class ModelDataStore(IDbContextFactory<AppDbContext> factory)
{
    /// <summary>
    /// Daily features of the given instruments (every active instrument when null) with ts in [from, to].
    /// Bars without a stored feature row are left out; instruments with no rows are not returned.
    /// </summary>
    public async Task<IReadOnlyList<InstrumentFeatures>> LoadDailyAsync(IReadOnlyCollection<long>? instrumentIds = null, DateTimeOffset? from = null,
        DateTimeOffset? to = null, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var ids = instrumentIds?.ToList() ?? await db.Instruments.AsNoTracking().Where(i => i.IsActive).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(ct);
        var result = new List<InstrumentFeatures>(ids.Count);
        foreach (var id in ids)
        {
            var rows = db.Features.AsNoTracking().Where(f => f.InstrumentId == id && f.Interval == Intervals.OneDay && f.FeatureVersion == FeatureCalculator.Version);
            if (from is { } f0) rows = rows.Where(f => f.Ts >= f0);
            if (to is { } t0) rows = rows.Where(f => f.Ts <= t0);
            var joined = await rows
                .Join(db.PriceBars.Where(p => p.InstrumentId == id && p.Interval == Intervals.OneDay), f => f.Ts, p => p.Ts, (f, p) => new
                {
                    f.Ts, p.Close, f.Ret1d, f.Ret5d, f.Ret20d, f.Rsi14, f.Momentum5d, f.Vol20d, f.Atr14, f.VolumeZscore, f.Additional, f.StateId,
                })
                .OrderBy(r => r.Ts).ToListAsync(ct);
            if (joined.Count == 0) continue;
            var snapshots = joined.Select(r => new FeatureSnapshot(r.Ts, r.Close, r.Ret1d, r.Ret5d, r.Ret20d, r.Rsi14, r.Momentum5d, r.Vol20d, r.Atr14,
                r.VolumeZscore, ParseAdditional(r.Additional), r.StateId)).ToList();
            result.Add(InstrumentFeatures.FromRows(id, snapshots));
        }
        return result;
    }

    private static Dictionary<string, double>? ParseAdditional(string json)
        => string.IsNullOrWhiteSpace(json) || json == "{}" ? null : JsonSerializer.Deserialize<Dictionary<string, double>>(json);
}
