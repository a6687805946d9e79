using Npgsql;
using NpgsqlTypes;
using Signalbook.Data;
using Signalbook.Features.MarketData.Import;

namespace Signalbook.Features.MarketData;

/// <summary>
/// Writes bars in bulk: Npgsql's binary COPY into a temporary staging table, then one
/// INSERT … ON CONFLICT into <c>price_bars</c>, all in one transaction. Idempotent: a bar already
/// stored for the same (instrument, interval, ts) is updated, so running an import twice changes nothing.
/// </summary>
public sealed class PriceBarWriter(DatabaseConnection connection)
{
    public async Task<int> UpsertAsync(long instrumentId, string interval, IReadOnlyList<OhlcvBar> bars, string source, CancellationToken ct = default)
    {
        if (!Intervals.All.Contains(interval)) throw new ArgumentException($"Unknown interval '{interval}'.", nameof(interval));
        if (bars.Count == 0) return 0;
        await using var conn = new NpgsqlConnection(connection.Value);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var create = new NpgsqlCommand("""
            CREATE TEMP TABLE price_bars_staging (
                ts timestamptz NOT NULL, open double precision NOT NULL, high double precision NOT NULL, low double precision NOT NULL,
                close double precision NOT NULL, volume double precision NOT NULL, vwap double precision, trade_count integer
            ) ON COMMIT DROP
            """, conn, tx))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        await using (var importer = await conn.BeginBinaryImportAsync(
            "COPY price_bars_staging (ts, open, high, low, close, volume, vwap, trade_count) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var b in bars)
            {
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(b.Ts.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                await importer.WriteAsync(b.Open, NpgsqlDbType.Double, ct);
                await importer.WriteAsync(b.High, NpgsqlDbType.Double, ct);
                await importer.WriteAsync(b.Low, NpgsqlDbType.Double, ct);
                await importer.WriteAsync(b.Close, NpgsqlDbType.Double, ct);
                await importer.WriteAsync(b.Volume, NpgsqlDbType.Double, ct);
                if (b.Vwap is { } vwap) await importer.WriteAsync(vwap, NpgsqlDbType.Double, ct); else await importer.WriteNullAsync(ct);
                if (b.TradeCount is { } trades) await importer.WriteAsync(trades, NpgsqlDbType.Integer, ct); else await importer.WriteNullAsync(ct);
            }
            await importer.CompleteAsync(ct);
        }

        int written;
        await using (var merge = new NpgsqlCommand("""
            INSERT INTO price_bars (instrument_id, interval, ts, open, high, low, close, volume, vwap, trade_count, source)
            SELECT @instrument, @interval, ts, open, high, low, close, volume, vwap, trade_count, @source FROM price_bars_staging
            ON CONFLICT (instrument_id, interval, ts) DO UPDATE SET
                open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume,
                vwap = EXCLUDED.vwap, trade_count = EXCLUDED.trade_count, source = EXCLUDED.source
            """, conn, tx))
        {
            merge.Parameters.AddWithValue("instrument", instrumentId);
            merge.Parameters.AddWithValue("interval", interval);
            merge.Parameters.AddWithValue("source", source);
            written = await merge.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return written;
    }
}
