using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Signalbook.Data;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Portfolios;

namespace Signalbook.Features.Journal.Stats;

/// <summary>
/// Which closed campaigns the statistics read. <see cref="From"/> and <see cref="To"/> are close days in the user's zone,
/// both inclusive; <see cref="Symbol"/> matches regardless of case; <see cref="StrategyId"/> is the campaign's strategy
/// (campaign_summaries.strategy_id, else the one on its opening fill's decision context). Null means any.
/// </summary>
public sealed record JournalFilter
{
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public string? Symbol { get; init; }
    public long? StrategyId { get; init; }
    public CampaignDirection? Direction { get; init; }
    public FillAssetType? AssetType { get; init; }

    public static JournalFilter All { get; } = new();
}

/// <summary>
/// The campaigns a view read and what the kernel made of them. <see cref="Currency"/> is their one currency, or null
/// when they mix currencies (amounts are then summed as they are, without conversion) or there are none.
/// </summary>
public sealed record JournalStatsResult(JournalStatistics Stats, IReadOnlyList<CampaignSummary> Campaigns, string? Currency, TimeZoneInfo Zone);

/// <summary>A strategy the trader can filter by.</summary>
public sealed record StrategyOption(long Id, string Name);

/// <summary>
/// The journal's statistics for the caller: reads their closed campaigns (campaign_summaries, one row each, with what
/// the trader attached) in one set-based query and runs <see cref="JournalStats.Compute"/> over them.
/// <list type="bullet">
/// <item><b>Strategy</b>: the campaign's strategy, else the strategy on its opening fill's decision context.</item>
/// <item><b>Emotions</b>: <c>feelings_then.emotions</c> of the opening fill's decision context (the group id is the
/// opening fill's id).</item>
/// <item><b>Tags</b>: the distinct tags of the caller's journal entries whose <c>trade_id</c> is the campaign's group id
/// (per-trade notes). Daily notes' tags are not attached to campaigns: a day's note is about the day, not each trade.</item>
/// <item><b>Regime</b>: campaign_summaries.regime (the regime known before entry).</item>
/// <item><b>Broken rules</b>: the distinct check_type of failed campaign_checks on the decision contexts of any of the
/// campaign's fills.</item>
/// </list>
/// Every row read is the caller's: another trader's campaign, note or check is never joined in.
/// </summary>
public sealed class JournalStatsService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    // The campaigns and what the trader attached to them are read by five queries sent in one batch, in one snapshot, and
    // merged here by group id as the campaigns stream in last. Over 100 000 campaigns (bench journal-stats) the one query
    // that joined the opening contexts and strategies into the campaigns took 250 ms on the server; the campaigns and the
    // contexts alone take 100 and 55 ms. (The same five on five connections at once were slower on two cores: the server's
    // work and the reading of rows compete for the same cores.)
    private const string Sql = """
        SELECT s.group_id, s.symbol, s.direction = 'short', s.opened_at, s.closed_at, s.realised_pnl, s.r_multiple, s.fees, s.strategy_id, s.regime, s.currency
        FROM campaign_summaries s
        WHERE s.user_id = @user AND s.closed_at IS NOT NULL
        """;

    /// <summary>
    /// What the caller's decision contexts carry for the statistics: the strategy and the emotions (an array's JSON text).
    /// A campaign reads its opening fill's (the group id is that fill's id); contexts with neither are skipped.
    /// </summary>
    private const string ContextsSql = """
        SELECT d.fill_id, d.strategy_id, CASE WHEN jsonb_typeof(d.feelings_then -> 'emotions') = 'array' THEN (d.feelings_then -> 'emotions')::text END
        FROM decision_contexts d
        WHERE d.user_id = @user AND (d.strategy_id IS NOT NULL OR jsonb_typeof(d.feelings_then -> 'emotions') = 'array')
        """;

    private const string StrategiesSql = "SELECT id, name FROM strategies WHERE user_id = @user";

    /// <summary>The tags of the caller's per-trade notes, with the campaign each names (its group id as text).</summary>
    private const string TagsSql = """
        SELECT e.trade_id, e.tags::text FROM journal_entries e
        WHERE e.user_id = @user AND e.trade_id IS NOT NULL AND jsonb_array_length(e.tags) > 0
        """;

    /// <summary>The rules the caller's failed checks name, with the campaign of the fill each check was on (a flip fill: both).</summary>
    private const string BrokenSql = """
        SELECT DISTINCT cf.group_id, c.check_type
        FROM campaign_checks c
        JOIN decision_contexts d ON d.id = c.decision_context_id AND d.user_id = @user
        JOIN campaign_fills cf ON cf.fill_id = d.fill_id
        WHERE c.user_id = @user AND NOT c.passed
        """;

    /// <summary>The strategy and emotions of one decision context.</summary>
    private readonly record struct Context(long? StrategyId, string[]? Emotions);

    /// <summary>The caller's closed campaigns that pass the filter, oldest close first, with what the trader attached.</summary>
    public async Task<(List<CampaignSummary> Campaigns, string? Currency)> LoadAsync(JournalCaller caller, JournalFilter filter, TimeZoneInfo zone, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(zone);
        var user = caller.UserId;

        var strategies = new Dictionary<long, string>();
        var contexts = new Dictionary<long, Context>();
        // The emotions come as JSON text, mostly a few of the same short lists: each is parsed once.
        var emotionLists = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var tags = new GroupLists();
        var broken = new GroupLists();
        Dictionary<long, string[]>? tagLists = null, brokenLists = null;
        var campaigns = new List<CampaignSummary>();
        string? currency = null;
        var mixed = false;

        void Campaign(DbDataReader reader)
        {
            tagLists ??= tags.ToLists();
            brokenLists ??= broken.ToLists();
            var group = reader.GetInt64(0);
            var context = contexts.GetValueOrDefault(group);
            // The campaign's own strategy, else its opening context's.
            var strategyId = reader.IsDBNull(8) ? context.StrategyId : reader.GetInt64(8);
            if (filter.StrategyId is { } wanted && strategyId != wanted) return;
            var c = reader.GetString(10);
            if (currency is null && !mixed) currency = c;
            else if (!mixed && !string.Equals(currency, c, StringComparison.Ordinal)) (mixed, currency) = (true, null);
            var opened = reader.GetFieldValue<DateTimeOffset>(3);
            var closed = reader.GetFieldValue<DateTimeOffset>(4);
            var r = reader.IsDBNull(6) ? (double?)null : reader.GetDouble(6);
            campaigns.Add(new CampaignSummary(
                group,
                reader.GetString(1),
                reader.GetBoolean(2) ? CampaignDirection.Short : CampaignDirection.Long,
                opened,
                closed,
                reader.GetDecimal(5),
                r is { } rv && double.IsFinite(rv) ? (decimal)rv : null,
                reader.GetDecimal(7),
                closed - opened,
                strategyId is { } id ? strategies.GetValueOrDefault(id) : null,
                tagLists.GetValueOrDefault(group),
                context.Emotions,
                NullableString(reader, 9),
                brokenLists.GetValueOrDefault(group)));
        }

        // Each query has its own @user parameter (a parameter belongs to one command).
        (string, NpgsqlParameter[], Action<DbDataReader>) Mine(string sql, Action<DbDataReader> row) =>
            (sql, [new NpgsqlParameter("user", NpgsqlDbType.Uuid) { Value = user }], row);
        var (sql, parameters) = Query(caller, filter, zone);
        await ReadAsync([
            Mine(StrategiesSql, reader => strategies[reader.GetInt64(0)] = reader.GetString(1)),
            Mine(ContextsSql, reader => contexts[reader.GetInt64(0)] =
                new Context(reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : Emotions(reader.GetString(2), emotionLists))),
            Mine(TagsSql, reader =>
            {
                // A note names its campaign by number; only the number's own spelling matches (as a text join would).
                var tradeId = reader.GetString(0);
                if (!long.TryParse(tradeId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var group)
                    || group.ToString(System.Globalization.CultureInfo.InvariantCulture) != tradeId) return;
                foreach (var tag in JsonArrayText(reader.GetString(1))) tags.Add(group, tag);
            }),
            Mine(BrokenSql, reader => broken.Add(reader.GetInt64(0), reader.GetString(1))),
            (sql, parameters, Campaign),
        ], ct);

        // Oldest close first, then by group id (the query leaves the order to this).
        campaigns.Sort(static (a, b) => a.ClosedAt.UtcTicks != b.ClosedAt.UtcTicks ? a.ClosedAt.UtcTicks.CompareTo(b.ClosedAt.UtcTicks) : a.GroupId.CompareTo(b.GroupId));
        return (campaigns, mixed ? null : currency);
    }

    /// <summary>
    /// Sends the queries in one batch, in one repeatable-read transaction (one snapshot), and hands each row of the i-th
    /// query's result to the i-th reader. PostgreSQL's JIT is off for them: on the statistics' old join it spent 2 of
    /// 2.9 s compiling over 100 000 campaigns, which ran in well under a second without it.
    /// </summary>
    private async Task ReadAsync((string Sql, NpgsqlParameter[] Parameters, Action<DbDataReader> Row)[] queries, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL jit = off"));
        foreach (var (sql, parameters, _) in queries)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddRange(parameters);
            batch.BatchCommands.Add(command);
        }
        await using var reader = await batch.ExecuteReaderAsync(ct);
        for (var i = 0; i < queries.Length; i++)
        {
            if (i > 0 && !await reader.NextResultAsync(ct)) throw new InvalidOperationException($"The statistics batch returned {i} results for {queries.Length} queries.");
            while (await reader.ReadAsync(ct)) queries[i].Row(reader);
        }
    }

    /// <summary>
    /// The campaigns' query and its parameters (for the bench's EXPLAIN too). The strategy filter is not in it: a campaign's
    /// strategy may come from its opening context, which <see cref="LoadAsync"/> merges in after.
    /// </summary>
    internal static (string Sql, NpgsqlParameter[] Parameters) Query(JournalCaller caller, JournalFilter filter, TimeZoneInfo zone)
    {
        var sql = new System.Text.StringBuilder(Sql);
        var parameters = new List<NpgsqlParameter> { new("user", NpgsqlDbType.Uuid) { Value = caller.UserId } };
        if (filter.From is { } from)
        {
            sql.Append(" AND s.closed_at >= @from");
            parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = LocalMidnightUtc(from, zone) });
        }
        if (filter.To is { } to)
        {
            sql.Append(" AND s.closed_at < @to");
            parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = LocalMidnightUtc(to.AddDays(1), zone) });
        }
        if (!string.IsNullOrWhiteSpace(filter.Symbol))
        {
            sql.Append(" AND upper(s.symbol) = upper(@symbol)");
            parameters.Add(new NpgsqlParameter("symbol", NpgsqlDbType.Varchar) { Value = filter.Symbol.Trim() });
        }
        if (filter.Direction is { } direction)
        {
            sql.Append(" AND s.direction = @direction");
            parameters.Add(new NpgsqlParameter("direction", NpgsqlDbType.Varchar) { Value = TradingNames.ToDb(direction) });
        }
        if (filter.AssetType is { } asset)
        {
            sql.Append(" AND s.asset_type = @asset");
            parameters.Add(new NpgsqlParameter("asset", NpgsqlDbType.Varchar) { Value = TradingNames.ToDb(asset) });
        }
        return (sql.ToString(), parameters.ToArray());
    }

    /// <summary>The statistics of the caller's closed campaigns that pass the filter, in <paramref name="zone"/>.</summary>
    public async Task<JournalStatsResult> ComputeAsync(JournalCaller caller, JournalFilter filter, TimeZoneInfo zone, CancellationToken ct = default)
    {
        var (campaigns, currency) = await LoadAsync(caller, filter, zone, ct);
        return new JournalStatsResult(JournalStats.Compute(campaigns, zone), campaigns, currency, zone);
    }

    /// <summary>
    /// One calendar month in <paramref name="zone"/>: the whole weeks (Monday to Sunday) that show it, so each row's
    /// total is its week's.
    /// </summary>
    public async Task<CalendarMonth> CalendarAsync(JournalCaller caller, int year, int month, TimeZoneInfo zone, CancellationToken ct = default)
    {
        var (start, end) = JournalCalendar.GridRange(year, month);
        var (campaigns, currency) = await LoadAsync(caller, new JournalFilter { From = start, To = end }, zone, ct);
        return JournalCalendar.Build(year, month, campaigns, zone, currency);
    }

    /// <summary>Whether the caller has any fill at all (the journal's empty state).</summary>
    public async Task<bool> HasFillsAsync(JournalCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.TradeFills.AsNoTracking().AnyAsync(f => f.UserId == caller.UserId, ct);
    }

    /// <summary>The caller's strategies, by name, for the filter.</summary>
    public async Task<IReadOnlyList<StrategyOption>> StrategiesAsync(JournalCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Strategies.AsNoTracking().Where(s => s.UserId == caller.UserId).OrderBy(s => s.Name).ThenBy(s => s.Id)
            .Select(s => new StrategyOption(s.Id, s.Name)).ToListAsync(ct);
    }

    /// <summary>Today in <paramref name="zone"/>, from the app's clock.</summary>
    public DateOnly Today(TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);

    /// <summary>
    /// The instant a local day starts. Where midnight does not exist (a spring-forward at 00:00, as in some zones), the
    /// day starts at the first valid local time after it.
    /// </summary>
    public static DateTimeOffset LocalMidnightUtc(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(15);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    /// <summary>
    /// The elements of a jsonb array's text as jsonb_array_elements_text gives them: a string's value, null for a JSON
    /// null, and any other element's own JSON text (the slice of PostgreSQL's canonical output, so the same text).
    /// Parsed here rather than by a per-row subquery, which cost the statistics query a subplan run per campaign.
    /// </summary>
    internal static string[] JsonArrayText(string json)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var reader = new System.Text.Json.Utf8JsonReader(bytes);
        var items = new List<string>(4);
        if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartArray) throw new FormatException("Not a JSON array: " + json);
        while (reader.Read() && reader.TokenType != System.Text.Json.JsonTokenType.EndArray)
        {
            switch (reader.TokenType)
            {
                case System.Text.Json.JsonTokenType.String:
                    items.Add(reader.GetString()!);
                    break;
                case System.Text.Json.JsonTokenType.Null:
                    items.Add(null!); // as the array's NULL element was read before
                    break;
                case System.Text.Json.JsonTokenType.StartObject or System.Text.Json.JsonTokenType.StartArray:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    items.Add(System.Text.Encoding.UTF8.GetString(bytes, start, (int)reader.BytesConsumed - start));
                    break;
                default:
                    items.Add(System.Text.Encoding.UTF8.GetString(reader.ValueSpan)); // a number, true or false as written
                    break;
            }
        }
        return [.. items];
    }

    /// <summary>Each group's distinct items, in ordinal order (as array_agg(DISTINCT … ORDER BY …) would give them).</summary>
    private sealed class GroupLists
    {
        private readonly Dictionary<long, SortedSet<string>> _sets = [];

        public void Add(long group, string item)
        {
            if (!_sets.TryGetValue(group, out var set)) _sets[group] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.Add(item);
        }

        public Dictionary<long, string[]> ToLists()
        {
            var lists = new Dictionary<long, string[]>(_sets.Count);
            foreach (var (group, set) in _sets) lists[group] = [.. set];
            return lists;
        }
    }

    private static string[] Emotions(string json, Dictionary<string, string[]> parsed)
    {
        if (!parsed.TryGetValue(json, out var list)) parsed[json] = list = JsonArrayText(json);
        return list;
    }

    private static string? NullableString(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

}
