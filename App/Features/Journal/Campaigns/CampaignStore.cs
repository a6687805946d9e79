using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Portfolios;

namespace Signalbook.Features.Journal.Campaigns;

/// <summary>
/// Persists campaigns: rebuilds whole series (one user's fills of one symbol and asset type) inside the caller's
/// transaction, rewriting their campaign_fills rows and campaign_summaries. Idempotent: rebuilding an unchanged series
/// writes the same rows. A reversed fill and its reversal are left out (a correction cancels them).
/// <para>
/// Per campaign it also stores: R (risk from the stop in the opening fill's decision context, else from the trader's
/// risk profile: account balance × max risk per trade %), MAE/MFE from the stored daily bars of the instrument over
/// the holding period, the strategy of the opening fill's context, and the regime state known before the first fill
/// (the newest feature row whose bar had completed: ts + 1 day ≤ the fill's time, so never a later bar).
/// </para>
/// </summary>
public sealed class CampaignStore
{
    private static readonly TimeSpan DailyBar = TimeSpan.FromDays(1);

    public async Task<int> RebuildAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid userId, IReadOnlyCollection<SeriesKey> series, CancellationToken ct,
        Hosting.PhaseTimer? timer = null)
    {
        if (series.Count == 0) return 0;
        var wanted = series.ToHashSet();
        var symbols = series.Select(s => s.Symbol).ToArray();
        var assets = series.Select(s => TradingNames.ToDb(s.AssetType)).ToArray();

        // Fills a correction reversed (few; read apart so the planner never probes every fill for a reversal).
        var reversed = new HashSet<long>();
        await using (var corrections = new NpgsqlCommand("SELECT reverses_fill_id FROM trade_fills WHERE user_id = @u AND reverses_fill_id IS NOT NULL", conn, tx))
        {
            corrections.Parameters.AddWithValue("u", userId);
            await using var r = await corrections.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) reversed.Add(r.GetInt64(0));
        }
        var fills = new List<LedgerFill>();
        var instrumentBySeries = new Dictionary<SeriesKey, long>();
        var currencyBySeries = new Dictionary<SeriesKey, string>();
        await using (var load = new NpgsqlCommand("""
            SELECT f.id, f.symbol, f.asset_type, f.side, f.quantity, f.price, f.fees, f.executed_at, f.multiplier, f.instrument_id, f.currency
            FROM trade_fills f
            WHERE f.user_id = @u AND f.symbol = ANY(@symbols) AND f.reverses_fill_id IS NULL
            """, conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds })
        {
            load.Parameters.AddWithValue("u", userId);
            load.Parameters.AddWithValue("symbols", symbols.Distinct().ToArray());
            await using var r = await load.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (reversed.Contains(r.GetInt64(0))) continue;
                var fill = new LedgerFill(r.GetInt64(0), r.GetString(1), TradingNames.Parse<FillAssetType>(r.GetString(2)),
                    r.GetString(3) == "buy" ? FillSide.Buy : FillSide.Sell, r.GetDecimal(4), r.GetDecimal(5), r.GetDecimal(6),
                    r.GetFieldValue<DateTimeOffset>(7), r.GetDecimal(8));
                if (!wanted.Contains(fill.Series)) continue; // the symbol's other asset types are not being rebuilt
                fills.Add(fill);
                if (!r.IsDBNull(9)) instrumentBySeries.TryAdd(fill.Series, r.GetInt64(9));
                currencyBySeries.TryAdd(fill.Series, r.GetString(10));
            }
        }

        timer?.Mark("rebuild_load");
        await using (var clear = new NpgsqlCommand("""
            DELETE FROM campaign_fills cf USING trade_fills f, unnest(@symbols, @assets) AS s(symbol, asset_type)
            WHERE cf.fill_id = f.id AND f.user_id = @u AND s.symbol = f.symbol AND s.asset_type = f.asset_type;
            DELETE FROM campaign_summaries cs USING unnest(@symbols, @assets) AS s(symbol, asset_type)
            WHERE cs.user_id = @u AND s.symbol = cs.symbol AND s.asset_type = cs.asset_type;
            """, conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds })
        {
            clear.Parameters.AddWithValue("u", userId);
            clear.Parameters.AddWithValue("symbols", symbols);
            clear.Parameters.AddWithValue("assets", assets);
            await clear.ExecuteNonQueryAsync(ct);
        }
        timer?.Mark("rebuild_clear");
        if (fills.Count == 0) return 0;

        var campaigns = CampaignBuilder.Build(fills);
        timer?.Mark("rebuild_build");
        var openers = campaigns.Select(c => c.GroupId).ToArray();
        var contexts = await OpeningContextsAsync(conn, tx, userId, openers, ct);
        var profile = await RiskProfileAsync(conn, tx, userId, ct);
        var bars = await DailyBarsAsync(conn, tx, campaigns, instrumentBySeries, ct);
        var regimes = await RegimesAsync(conn, tx, campaigns, instrumentBySeries, ct);
        var now = DateTimeOffset.UtcNow;
        timer?.Mark("rebuild_context");

        await using (var copy = await conn.BeginBinaryImportAsync("COPY campaign_fills (group_id, fill_id, quantity, created_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            copy.Timeout = TimeSpan.FromSeconds(JournalSql.BulkTimeoutSeconds);
            foreach (var c in campaigns)
            {
                foreach (var leg in c.Legs)
                {
                    copy.StartRow();
                    copy.Write(c.GroupId, NpgsqlDbType.Bigint);
                    copy.Write(leg.FillId, NpgsqlDbType.Bigint);
                    copy.Write(leg.Quantity, NpgsqlDbType.Numeric);
                    copy.Write(now, NpgsqlDbType.TimestampTz);
                }
            }
            await copy.CompleteAsync(ct);
        }
        timer?.Mark("rebuild_copy_legs");

        await using (var copy = await conn.BeginBinaryImportAsync("""
            COPY campaign_summaries (group_id, user_id, symbol, asset_type, direction, opened_at, closed_at, entry_average, exit_average, max_position,
                open_quantity, realised_pnl, return_pct, fees, r_multiple, mae, mfe, fill_count, currency, strategy_id, regime, updated_at) FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            copy.Timeout = TimeSpan.FromSeconds(JournalSql.BulkTimeoutSeconds);
            foreach (var c in campaigns)
            {
                contexts.TryGetValue(c.GroupId, out var opening);
                var r = RMultiple.Compute(c, opening.Stop, profile);
                ExcursionResult? excursion = bars.TryGetValue(c.Series, out var seriesBars) ? Excursions.Compute(c, seriesBars, DailyBar) : null;
                copy.StartRow();
                copy.Write(c.GroupId, NpgsqlDbType.Bigint);
                copy.Write(userId, NpgsqlDbType.Uuid);
                copy.Write(c.Symbol, NpgsqlDbType.Varchar);
                copy.Write(TradingNames.ToDb(c.AssetType), NpgsqlDbType.Varchar);
                copy.Write(c.Direction == CampaignDirection.Long ? "long" : "short", NpgsqlDbType.Varchar);
                copy.Write(c.OpenedAt, NpgsqlDbType.TimestampTz);
                WriteNullable(copy, c.ClosedAt, NpgsqlDbType.TimestampTz);
                copy.Write(Round(c.EntryAverage, 10), NpgsqlDbType.Numeric);
                WriteNullable(copy, c.ExitAverage is { } x ? Round(x, 10) : (decimal?)null, NpgsqlDbType.Numeric);
                copy.Write(c.MaxPosition, NpgsqlDbType.Numeric);
                copy.Write(c.Quantity, NpgsqlDbType.Numeric);
                copy.Write(Round(c.RealisedPnl, 6), NpgsqlDbType.Numeric);
                WriteNullable(copy, c.ReturnPct is { } p ? (double)p : (double?)null, NpgsqlDbType.Double);
                copy.Write(Round(c.TotalFees, 6), NpgsqlDbType.Numeric);
                WriteNullable(copy, r is { } rv && c.ExitQuantity > 0 ? (double)rv : (double?)null, NpgsqlDbType.Double);
                WriteNullable(copy, excursion is { BarsUsed: > 0 } e1 ? Round(e1.Mae, 6) : (decimal?)null, NpgsqlDbType.Numeric);
                WriteNullable(copy, excursion is { BarsUsed: > 0 } e2 ? Round(e2.Mfe, 6) : (decimal?)null, NpgsqlDbType.Numeric);
                copy.Write(c.Legs.Count, NpgsqlDbType.Integer);
                copy.Write(currencyBySeries.GetValueOrDefault(c.Series, "USD"), NpgsqlDbType.Varchar);
                WriteNullable(copy, opening.StrategyId, NpgsqlDbType.Bigint);
                WriteNullable(copy, regimes.GetValueOrDefault(c.GroupId), NpgsqlDbType.Varchar);
                copy.Write(now, NpgsqlDbType.TimestampTz);
            }
            await copy.CompleteAsync(ct);
        }
        timer?.Mark("rebuild_copy_summaries");
        return campaigns.Count;
    }

    private readonly record struct Opening(decimal? Stop, long? StrategyId);

    private static async Task<Dictionary<long, Opening>> OpeningContextsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid userId, long[] openers, CancellationToken ct)
    {
        var result = new Dictionary<long, Opening>();
        await using var cmd = new NpgsqlCommand("""
            SELECT fill_id, exit_intent ->> 'stop', strategy_id FROM decision_contexts WHERE user_id = @u AND fill_id = ANY(@ids)
            """, conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds };
        cmd.Parameters.AddWithValue("u", userId);
        cmd.Parameters.AddWithValue("ids", openers);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            decimal? stop = !r.IsDBNull(1) && decimal.TryParse(r.GetString(1), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 ? s : null;
            result[r.GetInt64(0)] = new Opening(stop, r.IsDBNull(2) ? null : r.GetInt64(2));
        }
        return result;
    }

    private static async Task<RiskProfile?> RiskProfileAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid userId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT profile ->> 'account_balance', risk_profile ->> 'max_risk_per_trade_pct' FROM user_settings WHERE user_id = @u", conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds };
        cmd.Parameters.AddWithValue("u", userId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct) || r.IsDBNull(0)) return null;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (!decimal.TryParse(r.GetString(0), System.Globalization.NumberStyles.Float, inv, out var balance) || balance <= 0) return null;
        var pct = !r.IsDBNull(1) && decimal.TryParse(r.GetString(1), System.Globalization.NumberStyles.Float, inv, out var p) ? p : new Users.RiskPreferences().MaxRiskPerTradePct;
        return new RiskProfile(balance, pct);
    }

    private static async Task<Dictionary<SeriesKey, List<ExcursionBar>>> DailyBarsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<Campaign> campaigns,
        Dictionary<SeriesKey, long> instruments, CancellationToken ct)
    {
        var result = new Dictionary<SeriesKey, List<ExcursionBar>>();
        var spans = campaigns.Where(c => instruments.ContainsKey(c.Series))
            .GroupBy(c => c.Series)
            .Select(g => (Series: g.Key, Instrument: instruments[g.Key], From: g.Min(c => c.OpenedAt) - DailyBar,
                To: g.Any(c => c.IsOpen) ? DateTimeOffset.UtcNow + DailyBar : g.Max(c => c.ClosedAt!.Value)))
            .ToList();
        if (spans.Count == 0) return result;
        await using var cmd = new NpgsqlCommand("""
            SELECT s.ord, b.ts, b.high, b.low
            FROM unnest(@instruments, @from, @to) WITH ORDINALITY AS s(instrument_id, from_ts, to_ts, ord)
            JOIN price_bars b ON b.instrument_id = s.instrument_id AND b.interval = '1Day' AND b.ts >= s.from_ts AND b.ts <= s.to_ts
            ORDER BY s.ord, b.ts
            """, conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds };
        cmd.Parameters.AddWithValue("instruments", spans.Select(s => s.Instrument).ToArray());
        cmd.Parameters.AddWithValue("from", spans.Select(s => s.From.UtcDateTime).ToArray());
        cmd.Parameters.AddWithValue("to", spans.Select(s => s.To.UtcDateTime).ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var series = spans[(int)r.GetInt64(0) - 1].Series;
            if (!result.TryGetValue(series, out var list)) result[series] = list = [];
            list.Add(new ExcursionBar(r.GetFieldValue<DateTimeOffset>(1), (decimal)r.GetDouble(2), (decimal)r.GetDouble(3)));
        }
        return result;
    }

    private static async Task<Dictionary<long, string>> RegimesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<Campaign> campaigns,
        Dictionary<SeriesKey, long> instruments, CancellationToken ct)
    {
        var result = new Dictionary<long, string>();
        var known = campaigns.Where(c => instruments.ContainsKey(c.Series)).ToList();
        if (known.Count == 0) return result;
        await using var cmd = new NpgsqlCommand("""
            SELECT s.group_id, (
                SELECT rm.state_names[f.state_id + 1]
                FROM features f JOIN regime_models rm ON rm.model_id = f.model_id
                WHERE f.instrument_id = s.instrument_id AND f.interval = '1Day' AND f.ts <= s.opened_at - interval '1 day' AND f.state_id >= 0
                ORDER BY f.ts DESC LIMIT 1)
            FROM unnest(@groups, @instruments, @opened) AS s(group_id, instrument_id, opened_at)
            """, conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds };
        cmd.Parameters.AddWithValue("groups", known.Select(c => c.GroupId).ToArray());
        cmd.Parameters.AddWithValue("instruments", known.Select(c => instruments[c.Series]).ToArray());
        cmd.Parameters.AddWithValue("opened", known.Select(c => c.OpenedAt.UtcDateTime).ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            if (!r.IsDBNull(1)) result[r.GetInt64(0)] = r.GetString(1);
        }
        return result;
    }

    private static decimal Round(decimal v, int places) => Math.Round(v, places, MidpointRounding.ToEven);

    // Synchronous writes: Npgsql buffers rows and only touches the socket when its buffer is full.
    private static void WriteNullable<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) where T : struct
    {
        if (value is { } v) copy.Write(v, type); else copy.WriteNull();
    }

    private static void WriteNullable(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type)
    {
        if (value is null) copy.WriteNull(); else copy.Write(value, type);
    }
}
