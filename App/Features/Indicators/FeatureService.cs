using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Signalbook.Data;

namespace Signalbook.Features.Indicators;

/// <summary>
/// Computes and stores features for new bars. The recursive indicators (EMA, Wilder's RSI/ATR/ADX,
/// OBV) depend on the whole history, so the kernels run over every stored bar of the series and only
/// the bars newer than the last stored feature are written: the stored values are exactly those a
/// full recomputation gives, and a feature once written never changes when later bars arrive.
/// </summary>
public sealed class FeatureService(IDbContextFactory<AppDbContext> factory, DatabaseConnection connection)
{
    public async Task<int> UpdateAsync(long instrumentId, string interval, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var bars = await db.PriceBars.AsNoTracking().Where(p => p.InstrumentId == instrumentId && p.Interval == interval).OrderBy(p => p.Ts)
            .Select(p => new { p.Ts, p.Open, p.High, p.Low, p.Close, p.Volume }).ToListAsync(ct);
        if (bars.Count == 0) return 0;
        var lastStored = await db.Features.Where(f => f.InstrumentId == instrumentId && f.Interval == interval && f.FeatureVersion == FeatureCalculator.Version)
            .MaxAsync(f => (DateTimeOffset?)f.Ts, ct);
        var first = lastStored is { } last ? bars.FindIndex(b => b.Ts > last) : 0;
        if (first < 0) return 0;

        var series = new BarSeries(bars.Select(b => b.Open).ToArray(), bars.Select(b => b.High).ToArray(), bars.Select(b => b.Low).ToArray(),
            bars.Select(b => b.Close).ToArray(), bars.Select(b => b.Volume).ToArray());
        var f = FeatureCalculator.Compute(series);

        await using var conn = new NpgsqlConnection(connection.Value);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var create = new NpgsqlCommand("""
            CREATE TEMP TABLE features_staging (ts timestamptz, ret_1d float8, ret_5d float8, ret_20d float8, rsi_14 float8, momentum_5d float8,
                vol_20d float8, atr_14 float8, volume_zscore float8, additional jsonb) ON COMMIT DROP
            """, conn, tx))
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY features_staging (ts, ret_1d, ret_5d, ret_20d, rsi_14, momentum_5d, vol_20d, atr_14, volume_zscore, additional) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = first; i < bars.Count; i++)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(bars[i].Ts.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                foreach (var column in new[] { f.Ret1d, f.Ret5d, f.Ret20d, f.Rsi14, f.Momentum5d, f.Vol20d, f.Atr14, f.VolumeZScore })
                {
                    if (double.IsNaN(column[i])) await copy.WriteNullAsync(ct); else await copy.WriteAsync(column[i], NpgsqlDbType.Double, ct);
                }
                var additional = f.Additional.Where(a => !double.IsNaN(a.Value[i])).ToDictionary(a => a.Key, a => a.Value[i]);
                await copy.WriteAsync(JsonSerializer.Serialize(additional), NpgsqlDbType.Jsonb, ct);
            }
            await copy.CompleteAsync(ct);
        }
        int written;
        await using (var merge = new NpgsqlCommand("""
            INSERT INTO features (instrument_id, interval, ts, ret_1d, ret_5d, ret_20d, rsi_14, momentum_5d, vol_20d, atr_14, volume_zscore, additional, feature_version)
            SELECT @instrument, @interval, ts, ret_1d, ret_5d, ret_20d, rsi_14, momentum_5d, vol_20d, atr_14, volume_zscore, additional, @version
            FROM features_staging
            ON CONFLICT (instrument_id, interval, ts) DO UPDATE SET
                ret_1d = EXCLUDED.ret_1d, ret_5d = EXCLUDED.ret_5d, ret_20d = EXCLUDED.ret_20d, rsi_14 = EXCLUDED.rsi_14,
                momentum_5d = EXCLUDED.momentum_5d, vol_20d = EXCLUDED.vol_20d, atr_14 = EXCLUDED.atr_14, volume_zscore = EXCLUDED.volume_zscore,
                additional = EXCLUDED.additional, feature_version = EXCLUDED.feature_version
            """, conn, tx))
        {
            merge.Parameters.AddWithValue("instrument", instrumentId);
            merge.Parameters.AddWithValue("interval", interval);
            merge.Parameters.AddWithValue("version", FeatureCalculator.Version);
            written = await merge.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return written;
    }
}
