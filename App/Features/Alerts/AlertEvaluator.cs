using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Signalbook.Data;
using Signalbook.Features.Notifications;

namespace Signalbook.Features.Alerts;

/// <summary>What one evaluation did.</summary>
public sealed record AlertRunResult(int InstrumentRules, int PortfolioRules, int Instruments, int Evaluated, int Fired, int Expired, int Deactivated, int Notifications)
{
    /// <summary>Milliseconds per phase (lock_expire, load_rules, snapshot, kernel, portfolio, write, commit, notify), for the bench and the logs.</summary>
    public IReadOnlyDictionary<string, double> PhaseMs { get; init; } = new Dictionary<string, double>();
}

/// <summary>One alert a run raised, as written.</summary>
/// <remarks><see cref="Title"/> is null for an instrument rule: the write takes the rule's name in the database, so 100 000 names never cross the wire.</remarks>
internal sealed record Firing(long RuleId, Guid UserId, DateTimeOffset BarTs, string? Title, string Message, string Severity, string Category, string? Symbol, long? OrderId,
    long? StrategyId, bool Recurring);

/// <summary>
/// Evaluates every active rule after a data sync, on stored bars and features only. The two newest daily bars of the
/// watched instruments are loaded once (one query), the instrument rules (one streaming read of small codes, ordered by kind
/// on the client, so the kernel's branches run in long predictable stretches) are decided by <see cref="AlertKernel"/> over
/// arrays, and the firings go in by one binary COPY to a temporary table and one statement that inserts the alerts and
/// updates the rules, in one transaction under an advisory lock (two runs never interleave). A bar never fires a rule twice: the rule keeps the bar it fired on (or was
/// held back on by its cooldown) and the alerts table is unique per (rule, bar). Expired rules are switched off, one-shot
/// rules after their firing. Then each firing is announced through <see cref="INotifier"/> (type trading, the rule's
/// severity as level); a user with many firings in one run gets one summary, so a busy day cannot flood anyone.
/// </summary>
public sealed class AlertEvaluator(IDbContextFactory<AppDbContext> factory, INotifier notifier, TimeProvider clock, ILogger<AlertEvaluator> logger)
{
    /// <summary>More firings than this for one user in one run are announced as one summary notification.</summary>
    public const int NotificationsPerUserPerRun = 5;

    private const long LockKey = 0x5167_416c_6572_7473; // "SgAlerts"

    public async Task<AlertRunResult> EvaluateAsync(bool notify = true, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var timer = new Hosting.PhaseTimer();
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await using (var l = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@k)", conn)) { l.Parameters.AddWithValue("k", LockKey); await l.ExecuteNonQueryAsync(ct); }

        var expired = await db.AlertRules.Where(r => r.IsActive && r.ExpiresAt <= now)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.IsActive, false).SetProperty(r => r.UpdatedAt, now), ct);
        timer.Mark("lock_expire");

        var rules = await LoadInstrumentRulesAsync(conn, ct);
        timer.Mark("load_rules");
        var snapshot = await LoadSnapshotAsync(conn, rules, ct);
        timer.Mark("snapshot");
        var outcome = AlertKernel.Evaluate(snapshot, rules.Columns, now.UtcTicks);
        timer.Mark("kernel");

        var firings = new List<Firing>();
        var held = new List<(long RuleId, DateTimeOffset Bar)>();
        var evaluated = 0;
        for (var k = 0; k < outcome.Length; k++)
        {
            if (outcome[k] == RuleOutcome.NotDue) continue;
            evaluated++;
            var i = rules.Columns.Slot[k];
            var bar = new DateTimeOffset(snapshot.CurTs[i], TimeSpan.Zero);
            if (outcome[k] == RuleOutcome.Fired) firings.Add(InstrumentFiring(rules, k, snapshot, i, bar));
            else if (rules.Columns.LastFired[k] != long.MinValue && Cooling(rules.Columns, k, now)) held.Add((rules.Columns.RuleIds[k], bar));
        }

        var (portfolioRules, portfolioEvaluated) = await EvaluatePortfolioRulesAsync(db, now, firings, held, ct);
        evaluated += portfolioEvaluated;
        timer.Mark("portfolio");

        var (ids, titles) = await WriteAsync(conn, firings, held, now, ct);
        var deactivated = firings.Count(f => !f.Recurring);
        timer.Mark("write");
        await tx.CommitAsync(ct);
        timer.Mark("commit");

        var notified = notify ? await NotifyAsync(db, firings, ids, titles, ct) : 0;
        timer.Mark("notify");
        if (firings.Count > 0 || expired > 0)
            logger.LogInformation("Alerts: {Rules} rules over {Instruments} instruments, {Fired} fired, {Expired} expired", rules.Count + portfolioRules, snapshot.Count, firings.Count, expired);
        return new AlertRunResult(rules.Count, portfolioRules, snapshot.Count, evaluated, firings.Count, expired, deactivated, notified) { PhaseMs = timer.Milliseconds() };
    }

    private static bool Cooling(RuleColumns r, int k, DateTimeOffset now) => now.UtcTicks - r.LastFired[k] < r.CooldownTicks[k];

    private sealed class LoadedRules(int count)
    {
        public int Count { get; } = count;
        public RuleColumns Columns { get; } = new(count);
        public Guid[] UserIds { get; } = new Guid[count];
        public long[] InstrumentIds { get; } = new long[count];
        /// <summary>Index into <see cref="NotificationLevels.All"/>.</summary>
        public byte[] Severities { get; } = new byte[count];
        public bool[] Recurring { get; } = new bool[count];
    }

    /// <summary>One rule as read, before it is placed in the columns.</summary>
    private struct RuleRow
    {
        public long Id, InstrumentId, CooldownTicks, LastFired, LastBar;
        public Guid UserId;
        public double Threshold;
        public byte Kind, Indicator, Direction, Profile, Severity;
        public bool Recurring;
    }

    /// <summary>
    /// The active instrument rules in one streaming read of a compact projection: the text columns come as small codes
    /// (the SQL CASE is built from the same C# mapping), names are left in the database. The rows are then placed in
    /// the columns ordered by (kind, id) with one primitive sort on the client, instead of a sort on the server.
    /// </summary>
    private static readonly string RulesSql = $"""
        SELECT id, user_id, instrument_id, threshold, cooldown_minutes, last_fired_at, last_evaluated_bar, recurring,
               {AlertCodes.SqlCase("kind", AlertRuleKinds.All, AlertCodes.KindCode, 0)},
               {AlertCodes.SqlCase("indicator", AlertIndicators.All, AlertCodes.IndicatorCode, 0)},
               {AlertCodes.SqlCase("direction", AlertDirections.Cross.Concat(AlertDirections.Move), AlertCodes.DirectionCode, 0)},
               {AlertCodes.SqlCase("profile", [Users.RiskProfiles.Conservative, Users.RiskProfiles.Moderate, Users.RiskProfiles.Aggressive], AlertCodes.ProfileCode, 1)},
               {AlertCodes.SqlCase("severity", NotificationLevels.All, v => (byte)IndexOf(NotificationLevels.All, v), 0)}
        FROM alert_rules WHERE is_active AND instrument_id IS NOT NULL
        """;

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] == value) return i;
        return -1;
    }

    private static async Task<LoadedRules> LoadInstrumentRulesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var rows = new RuleRow[1024];
        var count = 0;
        await using (var cmd = new NpgsqlCommand(RulesSql, conn))
        await using (var reader = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct))
        {
            while (await reader.ReadAsync(ct))
            {
                if (count == rows.Length) Array.Resize(ref rows, rows.Length * 2);
                ref var row = ref rows[count++];
                row.Id = reader.GetInt64(0);
                row.UserId = reader.GetGuid(1);
                row.InstrumentId = reader.GetInt64(2);
                row.Threshold = reader.IsDBNull(3) ? double.NaN : reader.GetDouble(3);
                row.CooldownTicks = TimeSpan.TicksPerMinute * reader.GetInt32(4);
                row.LastFired = reader.IsDBNull(5) ? long.MinValue : reader.GetFieldValue<DateTimeOffset>(5).UtcTicks;
                row.LastBar = reader.IsDBNull(6) ? long.MinValue : reader.GetFieldValue<DateTimeOffset>(6).UtcTicks;
                row.Recurring = reader.GetBoolean(7);
                row.Kind = (byte)reader.GetInt16(8);
                row.Indicator = (byte)reader.GetInt16(9);
                row.Direction = (byte)reader.GetInt16(10);
                row.Profile = (byte)reader.GetInt16(11);
                row.Severity = (byte)reader.GetInt16(12);
            }
        }
        // Ordered by (kind, id), so the kernel's branches run in long predictable stretches and the order is deterministic.
        var keys = new long[count];
        var order = new int[count];
        for (var k = 0; k < count; k++)
        {
            keys[k] = ((long)rows[k].Kind << 56) | (rows[k].Id & 0x00FF_FFFF_FFFF_FFFF);
            order[k] = k;
        }
        Array.Sort(keys, order);
        var rules = new LoadedRules(count);
        var r = rules.Columns;
        for (var k = 0; k < count; k++)
        {
            ref readonly var row = ref rows[order[k]];
            r.RuleIds[k] = row.Id;
            r.Kind[k] = row.Kind;
            r.Indicator[k] = row.Indicator;
            r.Direction[k] = row.Direction;
            r.Threshold[k] = row.Threshold;
            r.Profile[k] = row.Profile;
            r.CooldownTicks[k] = row.CooldownTicks;
            r.LastFired[k] = row.LastFired;
            r.LastBar[k] = row.LastBar;
            rules.UserIds[k] = row.UserId;
            rules.InstrumentIds[k] = row.InstrumentId;
            rules.Severities[k] = row.Severity;
            rules.Recurring[k] = row.Recurring;
        }
        return rules;
    }

    /// <summary>The two newest daily bars (and their features) of every instrument a rule watches: one query, known at the newest close.</summary>
    private static async Task<MarketSnapshot> LoadSnapshotAsync(NpgsqlConnection conn, LoadedRules rules, CancellationToken ct)
    {
        var slots = new Dictionary<long, int>();
        foreach (var id in rules.InstrumentIds) slots.TryAdd(id, slots.Count);
        var s = new MarketSnapshot(slots.Count);
        foreach (var (id, slot) in slots) s.InstrumentIds[slot] = id;
        for (var k = 0; k < rules.Count; k++) rules.Columns.Slot[k] = slots[rules.InstrumentIds[k]];
        if (slots.Count == 0) return s;

        await using (var cmd = new NpgsqlCommand("""
            SELECT i.id, i.symbol, b.ts, b.close, f.rsi_14, (f.additional ->> 'dist_52w_high')::float8, f.volume_zscore, f.state_id
            FROM instruments i
            CROSS JOIN LATERAL (SELECT p.ts, p.close FROM price_bars p WHERE p.instrument_id = i.id AND p.interval = '1Day' ORDER BY p.ts DESC LIMIT 2) b
            LEFT JOIN features f ON f.instrument_id = i.id AND f.interval = '1Day' AND f.ts = b.ts
            WHERE i.id = ANY(@ids)
            ORDER BY i.id, b.ts DESC
            """, conn))
        {
            cmd.Parameters.AddWithValue("ids", s.InstrumentIds);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var i = slots[reader.GetInt64(0)];
                s.Symbols[i] = reader.GetString(1);
                var ts = reader.GetFieldValue<DateTimeOffset>(2).UtcTicks;
                var close = reader.GetDouble(3);
                var rsi = reader.IsDBNull(4) ? double.NaN : reader.GetDouble(4);
                var dist = reader.IsDBNull(5) ? double.NaN : reader.GetDouble(5) * 100.0;
                var volz = reader.IsDBNull(6) ? double.NaN : reader.GetDouble(6);
                var state = reader.IsDBNull(7) ? MarketSnapshot.NoState : reader.GetInt32(7);
                if (s.CurTs[i] == 0)
                {
                    (s.CurTs[i], s.CurClose[i], s.CurRsi[i], s.CurDist[i], s.CurVolZ[i], s.CurState[i]) = (ts, close, rsi, dist, volz, state);
                }
                else
                {
                    (s.PrevTs[i], s.PrevClose[i], s.PrevRsi[i], s.PrevDist[i], s.PrevVolZ[i], s.PrevState[i]) = (ts, close, rsi, dist, volz, state);
                }
            }
        }

        if (!rules.Columns.Kind.Contains(AlertCodes.RecommendationChange)) return s;
        // The newest two scorings per instrument and profile (generated_at is the scored bar's time).
        await using (var cmd = new NpgsqlCommand("""
            SELECT instrument_id, profile, label, generated_at, rn FROM (
                SELECT instrument_id, profile, label, generated_at,
                       row_number() OVER (PARTITION BY instrument_id, profile ORDER BY generated_at DESC, is_active DESC, id DESC) AS rn
                FROM recommendations WHERE instrument_id = ANY(@ids)) x
            WHERE rn <= 2
            """, conn))
        {
            cmd.Parameters.AddWithValue("ids", s.InstrumentIds);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var i = slots[reader.GetInt64(0)];
                var p = AlertCodes.ProfileCode(reader.GetString(1));
                var label = AlertCodes.LabelCode(reader.GetString(2));
                if (reader.GetInt64(4) == 1)
                {
                    s.RecLabel[p][i] = label;
                    s.RecTs[p][i] = reader.GetFieldValue<DateTimeOffset>(3).UtcTicks;
                }
                else s.PrevRecLabel[p][i] = label;
            }
        }
        return s;
    }

    private static Firing InstrumentFiring(LoadedRules rules, int k, MarketSnapshot s, int i, DateTimeOffset bar)
    {
        var sym = s.Symbols[i];
        var date = AlertText.TradingDate(bar);
        var t = rules.Columns.Threshold[k];
        var kind = rules.Columns.Kind[k];
        string message = kind switch
        {
            AlertCodes.PriceCrossAbove or AlertCodes.PriceCrossBelow =>
                $"{sym} closed at {P(s.CurClose[i])} on {date}, crossing {(kind == AlertCodes.PriceCrossAbove ? "above" : "below")} {P(t)} (previous close {P(s.PrevClose[i])}).",
            AlertCodes.PctMoveDay =>
                $"{sym} moved {AlertKernel.PctMove(s.PrevClose[i], s.CurClose[i]).ToString("+0.00;-0.00", CultureInfo.InvariantCulture)} % on {date} (close {P(s.CurClose[i])}, previous {P(s.PrevClose[i])}).",
            AlertCodes.IndicatorCross => IndicatorMessage(rules.Columns.Indicator[k], rules.Columns.Direction[k], s, i, t, sym, date),
            AlertCodes.RegimeChange => $"{sym}'s regime changed from {State(s.PrevState[i])} to {State(s.CurState[i])} on {date}.",
            _ => RecommendationMessage(rules.Columns.Profile[k], s, i, sym, date),
        };
        return new Firing(rules.Columns.RuleIds[k], rules.UserIds[k], bar, null, message, NotificationLevels.All[rules.Severities[k]],
            AlertCategories.Of(AlertCodes.KindName(kind) ?? ""), Clip(sym, 20), null, null, rules.Recurring[k]);
    }

    private static string IndicatorMessage(byte indicator, byte direction, MarketSnapshot s, int i, double t, string sym, string date)
    {
        var (name, prev, cur) = indicator switch
        {
            AlertCodes.Rsi => (AlertIndicators.Describe(AlertIndicators.Rsi14), s.PrevRsi[i], s.CurRsi[i]),
            AlertCodes.Dist => (AlertIndicators.Describe(AlertIndicators.Dist52wHigh), s.PrevDist[i], s.CurDist[i]),
            _ => (AlertIndicators.Describe(AlertIndicators.VolumeZscore), s.PrevVolZ[i], s.CurVolZ[i]),
        };
        return $"{sym} {name} crossed {(direction == AlertCodes.Below ? "below" : "above")} {F(t)} on {date}: {F(prev)} → {F(cur)}.";
    }

    private static string RecommendationMessage(byte p, MarketSnapshot s, int i, string sym, string date)
    {
        var was = s.PrevRecLabel[p][i];
        return $"{sym}'s {AlertCodes.ProfileName(p)} recommendation for {date} is {AlertCodes.LabelName(s.RecLabel[p][i])}" +
               (was == MarketSnapshot.NoLabel ? " (its first)." : $" (was {AlertCodes.LabelName(was)}).");
    }

    private static string State(int state) => state < 0 ? "out of distribution" : $"state {state}";

    private static string P(double v) => v.ToString("0.00##", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Clip(string s, int n) => s.Length <= n ? s : s[..n];

    /// <summary>Portfolio rules (few: one per portfolio and kind at most in practice) are checked one by one on the portfolio's orders and drawdown series.</summary>
    private static async Task<(int Count, int Evaluated)> EvaluatePortfolioRulesAsync(AppDbContext db, DateTimeOffset now, List<Firing> firings,
        List<(long, DateTimeOffset)> held, CancellationToken ct)
    {
        var rules = await (from r in db.AlertRules.AsNoTracking()
                           where r.IsActive && r.PortfolioId != null
                           join p in db.Portfolios on r.PortfolioId equals p.Id
                           where p.UserId == r.UserId
                           orderby r.Id
                           select new { r.Id, r.UserId, r.Kind, PortfolioId = r.PortfolioId!.Value, PortfolioName = p.Name, r.Threshold, r.CooldownMinutes, r.LastFiredAt,
                               r.LastEvaluatedBar, r.Recurring, r.Severity, r.Name, r.CreatedAt }).ToListAsync(ct);
        var evaluated = 0;
        foreach (var r in rules)
        {
            var cooling = r.LastFiredAt is { } last && now - last < TimeSpan.FromMinutes(r.CooldownMinutes);
            if (r.Kind is AlertRuleKinds.OrderFilled or AlertRuleKinds.StopHit)
            {
                var since = r.LastEvaluatedBar ?? r.CreatedAt;
                var stops = r.Kind == AlertRuleKinds.StopHit;
                var fills = await (from o in db.Orders.AsNoTracking()
                                   where o.PortfolioId == r.PortfolioId && o.UserId == r.UserId && o.Status == Portfolios.OrderStatus.Filled
                                         && o.FilledAt > since && o.FilledAt <= now
                                         && (!stops || o.OrderType == Portfolios.OrderType.StopLoss || o.OrderType == Portfolios.OrderType.StopLimit)
                                   join i in db.Instruments on o.InstrumentId equals i.Id
                                   orderby o.FilledAt descending, o.Id descending
                                   select new { o.Id, o.Side, o.FilledQuantity, o.AverageFillPrice, o.FilledAt, o.StrategyId, i.Symbol }).Take(50).ToListAsync(ct);
                if (fills.Count == 0) continue;
                evaluated++;
                var bar = fills[0].FilledAt!.Value;
                if (cooling) { held.Add((r.Id, bar)); continue; }
                var lines = string.Join("; ", fills.Take(5).Select(f =>
                    $"{(f.Side == Portfolios.OrderSide.Buy ? "bought" : "sold")} {f.FilledQuantity.ToString("0.####", CultureInfo.InvariantCulture)} {f.Symbol} at {f.AverageFillPrice?.ToString("0.00##", CultureInfo.InvariantCulture) ?? "?"}"));
                var what = stops ? (fills.Count == 1 ? "A stop was hit" : $"{fills.Count} stops were hit") : (fills.Count == 1 ? "An order filled" : $"{fills.Count} orders filled");
                firings.Add(new Firing(r.Id, r.UserId, bar, Clip(r.Name, 200), $"{what} in {r.PortfolioName}: {lines}{(fills.Count > 5 ? "; …" : "")}.", r.Severity,
                    AlertCategories.Trade, fills.Select(f => f.Symbol).Distinct().Count() == 1 ? Clip(fills[0].Symbol, 20) : null, fills[0].Id, fills[0].StrategyId, r.Recurring));
            }
            else if (r.Kind == AlertRuleKinds.DrawdownLimit && r.Threshold is { } limit)
            {
                var points = await db.Analytics.AsNoTracking().Where(a => a.PortfolioId == r.PortfolioId && a.Metric == Portfolios.AnalyticsMetrics.Drawdown && a.Value != null)
                    .OrderByDescending(a => a.Timestamp).Take(2).Select(a => new { a.Timestamp, Value = a.Value!.Value }).ToListAsync(ct);
                if (points.Count == 0 || (r.LastEvaluatedBar is { } seen && points[0].Timestamp <= seen)) continue;
                evaluated++;
                var cur = Math.Abs(points[0].Value) * 100.0;
                var prev = points.Count > 1 ? Math.Abs(points[1].Value) * 100.0 : 0.0;
                if (!(prev < limit && cur >= limit)) continue;
                if (cooling) { held.Add((r.Id, points[0].Timestamp)); continue; }
                firings.Add(new Firing(r.Id, r.UserId, points[0].Timestamp, Clip(r.Name, 200),
                    $"{r.PortfolioName} is {cur.ToString("0.0", CultureInfo.InvariantCulture)} % below its peak on {AlertText.TradingDate(points[0].Timestamp)}, past your {limit.ToString("0.##", CultureInfo.InvariantCulture)} % limit.",
                    r.Severity, AlertCategories.Trade, null, null, null, r.Recurring));
            }
        }
        return (rules.Count, evaluated);
    }

    /// <summary>
    /// The run's firings and held rules go to a temporary table by one binary COPY; one statement then inserts the alerts
    /// (an instrument rule's title is its name, read there) and updates the rules' bar, firing time, count and one-shot
    /// switch-off. Returns each firing's alert id (0 when that rule and bar already had one) and title, in firing order.
    /// </summary>
    private static async Task<(long[] Ids, string[] Titles)> WriteAsync(NpgsqlConnection conn, List<Firing> firings, List<(long RuleId, DateTimeOffset Bar)> held,
        DateTimeOffset now, CancellationToken ct)
    {
        var ids = new long[firings.Count];
        var titles = new string[firings.Count];
        if (firings.Count + held.Count == 0) return (ids, titles);
        await using (var create = new NpgsqlCommand("""
            CREATE TEMP TABLE alert_run (n int, rule_id bigint, fired boolean, bar_ts timestamptz, user_id uuid, title text, message text, severity text,
                category text, symbol text, order_id bigint, strategy_id bigint) ON COMMIT DROP
            """, conn))
            await create.ExecuteNonQueryAsync(ct);
        await using (var copy = await conn.BeginBinaryImportAsync(
                         "COPY alert_run (n, rule_id, fired, bar_ts, user_id, title, message, severity, category, symbol, order_id, strategy_id) FROM STDIN (FORMAT BINARY)", ct))
        {
            // Synchronous writes into the importer's buffer (it sends when full): thousands of awaits per run would cost more than the rows.
            for (var n = 0; n < firings.Count; n++)
            {
                var f = firings[n];
                copy.StartRow();
                copy.Write(n, NpgsqlDbType.Integer);
                copy.Write(f.RuleId, NpgsqlDbType.Bigint);
                copy.Write(true, NpgsqlDbType.Boolean);
                copy.Write(f.BarTs.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                copy.Write(f.UserId, NpgsqlDbType.Uuid);
                Text(copy, f.Title);
                copy.Write(f.Message, NpgsqlDbType.Text);
                copy.Write(f.Severity, NpgsqlDbType.Text);
                copy.Write(f.Category, NpgsqlDbType.Text);
                Text(copy, f.Symbol);
                Bigint(copy, f.OrderId);
                Bigint(copy, f.StrategyId);
            }
            foreach (var (ruleId, bar) in held)
            {
                copy.StartRow();
                copy.Write(-1, NpgsqlDbType.Integer);
                copy.Write(ruleId, NpgsqlDbType.Bigint);
                copy.Write(false, NpgsqlDbType.Boolean);
                copy.Write(bar.ToUniversalTime(), NpgsqlDbType.TimestampTz);
                for (var c = 0; c < 8; c++) copy.WriteNull();
            }
            await copy.CompleteAsync(ct);
        }
        await using var write = new NpgsqlCommand("""
            WITH inserted AS (
                INSERT INTO alerts (user_id, rule_id, bar_ts, title, message, severity, category, symbol, order_id, strategy_id, is_read, is_sent, created_at)
                SELECT f.user_id, f.rule_id, f.bar_ts, COALESCE(f.title, left(r.name, 200)), f.message, f.severity, f.category, f.symbol, f.order_id, f.strategy_id,
                       false, false, @now
                FROM alert_run f JOIN alert_rules r ON r.id = f.rule_id
                WHERE f.fired
                ORDER BY f.n
                ON CONFLICT (rule_id, bar_ts) DO NOTHING
                RETURNING rule_id, id, title
            ), updated AS (
                UPDATE alert_rules r SET
                    last_evaluated_bar = GREATEST(r.last_evaluated_bar, u.bar_ts),
                    last_fired_at = CASE WHEN u.fired THEN @now ELSE r.last_fired_at END,
                    fire_count = r.fire_count + CASE WHEN u.fired THEN 1 ELSE 0 END,
                    is_active = r.is_active AND NOT (u.fired AND NOT r.recurring),
                    updated_at = @now
                FROM alert_run u
                WHERE r.id = u.rule_id
            )
            SELECT rule_id, id, title FROM inserted
            """, conn);
        write.Parameters.AddWithValue("now", now);
        var byRule = new Dictionary<long, (long Id, string Title)>(firings.Count);
        await using (var reader = await write.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) byRule[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetString(2));
        for (var n = 0; n < firings.Count; n++)
        {
            var found = byRule.TryGetValue(firings[n].RuleId, out var row);
            ids[n] = found ? row.Id : 0;
            titles[n] = found ? row.Title : firings[n].Title ?? "";
        }
        return (ids, titles);
    }

    private static void Text(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null) copy.WriteNull();
        else copy.Write(value, NpgsqlDbType.Text);
    }

    private static void Bigint(NpgsqlBinaryImporter copy, long? value)
    {
        if (value is { } v) copy.Write(v, NpgsqlDbType.Bigint);
        else copy.WriteNull();
    }

    private async Task<int> NotifyAsync(AppDbContext db, List<Firing> firings, long[] ids, string[] titles, CancellationToken ct)
    {
        var sent = new List<long>();
        var notified = 0;
        foreach (var group in firings.Select((f, n) => (f: f with { Title = titles[n] }, Id: ids[n])).Where(x => x.Id != 0).GroupBy(x => x.f.UserId))
        {
            var items = group.ToList();
            try
            {
                if (items.Count <= NotificationsPerUserPerRun)
                {
                    foreach (var (f, id) in items)
                    {
                        await notifier.NotifyAsync(new NotificationRequest(f.UserId, NotificationTypes.Trading, f.Severity, f.Title ?? "", f.Message, "alerts", f.Symbol), ct);
                        sent.Add(id);
                        notified++;
                    }
                }
                else
                {
                    var worst = NotificationLevels.All.Last(l => items.Any(x => x.f.Severity == l));
                    var symbols = string.Join(", ", items.Select(x => x.f.Symbol).OfType<string>().Distinct().Take(8));
                    await notifier.NotifyAsync(new NotificationRequest(group.Key, NotificationTypes.Trading, worst, $"{items.Count} alerts fired",
                        $"{items.Count} of your alert rules fired{(symbols.Length > 0 ? $" ({symbols})" : "")}. See Alerts for each one.", "alerts"), ct);
                    sent.AddRange(items.Select(x => x.Id));
                    notified++;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The alerts are stored; their is_sent stays false and the history shows them. Log, do not fail the run.
                logger.LogError(e, "Alerts: notifying user {User} of {Count} alert(s) failed", group.Key, items.Count);
            }
        }
        if (sent.Count > 0) await db.Alerts.Where(a => sent.Contains(a.Id)).ExecuteUpdateAsync(u => u.SetProperty(a => a.IsSent, true), ct);
        return notified;
    }
}
