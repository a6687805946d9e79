using Npgsql;
using Signalbook.Features.Journal.Campaigns;

namespace Signalbook.Features.Journal.Import;

/// <summary>
/// Writes parsed fills into trade_fills, shared by file imports (<see cref="FillImportService"/>) and broker syncs
/// (<see cref="SnapTrade.SnapTradeSyncService"/>) so both store a fill the same way: COPY into the staging table, then
/// one INSERT … ON CONFLICT (user_id, external_trade_id) DO NOTHING, so a fill already in the ledger (an earlier import,
/// an overlapping sync window) is never stored twice. Runs inside the caller's transaction; the caller rebuilds the
/// campaigns of the series it returns.
/// </summary>
internal static class FillLedger
{
    public static async Task<(int Added, HashSet<SeriesKey> Touched)> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid userId,
        IReadOnlyList<ParsedFill> fills, IReadOnlyList<string> ids, string broker, FillSource source, long? batchId, long? connectionId, CancellationToken ct,
        Hosting.PhaseTimer? timer = null)
    {
        var touched = new HashSet<SeriesKey>();
        if (fills.Count == 0) return (0, touched);
        await FillStaging.CopyAsync(conn, tx, fills, ids, broker, ct);
        timer?.Mark("ledger_staging");
        var added = 0;
        // One hash join finds each symbol's instrument (an equity's bars give MAE/MFE); the insert reports the series it
        // touched, grouped, rather than a row per fill.
        await using (var merge = new NpgsqlCommand($"""
            WITH instrument AS (
                SELECT DISTINCT ON (symbol) symbol, id FROM instruments ORDER BY symbol, is_active DESC, id
            ), inserted AS (
                INSERT INTO trade_fills (user_id, instrument_id, symbol, side, quantity, price, fees, executed_at, broker, asset_type, currency, order_id, venue,
                    external_trade_id, source, import_batch_id, broker_connection_id, raw_data, isin, multiplier, option_underlying, option_expiry, option_strike, option_right)
                SELECT @u, CASE WHEN s.asset_type = 'equity' THEN i.id END,
                    s.symbol, s.side, s.quantity, s.price, s.fees, s.executed_at, s.broker, s.asset_type, s.currency, s.order_id, s.venue,
                    s.external_trade_id, @source, @batch, @connection, s.raw_data, s.isin, s.multiplier, s.option_underlying, s.option_expiry, s.option_strike, s.option_right
                FROM {FillStaging.Table} s LEFT JOIN instrument i ON i.symbol = s.symbol
                ORDER BY s.ord
                ON CONFLICT (user_id, external_trade_id) DO NOTHING
                RETURNING symbol, asset_type
            )
            SELECT symbol, asset_type, count(*)::int FROM inserted GROUP BY symbol, asset_type
            """, conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds })
        {
            merge.Parameters.AddWithValue("u", userId);
            merge.Parameters.AddWithValue("source", Portfolios.TradingNames.ToDb(source));
            merge.Parameters.Add(new NpgsqlParameter<long?>("batch", NpgsqlTypes.NpgsqlDbType.Bigint) { TypedValue = batchId });
            merge.Parameters.Add(new NpgsqlParameter<long?>("connection", NpgsqlTypes.NpgsqlDbType.Bigint) { TypedValue = connectionId });
            await using var reader = await merge.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                added += reader.GetInt32(2);
                touched.Add(new SeriesKey(reader.GetString(0), Portfolios.TradingNames.Parse<FillAssetType>(reader.GetString(1))));
            }
        }
        timer?.Mark("ledger_insert");
        // The staging table lives until the transaction ends (ON COMMIT DROP): empty it so a second write in the same
        // transaction does not insert these rows again.
        await using (var clear = new NpgsqlCommand($"TRUNCATE {FillStaging.Table}", conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds })
        {
            await clear.ExecuteNonQueryAsync(ct);
        }
        return (added, touched);
    }
}
