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
    // What the trader attached that can be many per campaign (the tags of per-trade notes, the rules broken on any of its
    // fills) is read by two small queries of its own and merged here by group id: aggregated and hash-joined into the
    // campaigns' query, they were 250 of its 550 ms over 100 000 campaigns (bench journal-stats), mostly for casting
    // every group id to text to meet the notes' trade_id. The campaigns come unsorted, so their rows stream while the
    // server still joins, and are sorted here.
    private const string Sql = """
        SELECT s.group_id, s.symbol, s.direction, s.opened_at, s.closed_at, s.realised_pnl, s.r_multiple, s.fees, st.name, s.regime,
               CASE WHEN jsonb_typeof(d.feelings_then -> 'emotions') = 'array' THEN (d.feelings_then -> 'emotions')::text END AS emotions,
               s.currency
        FROM campaign_summaries s
        LEFT JOIN decision_contexts d ON d.fill_id = s.group_id AND d.user_id = @user
        LEFT JOIN strategies st ON st.id = COALESCE(s.strategy_id, d.strategy_id) AND st.user_id = @user
        WHERE s.user_id = @user AND s.closed_at IS NOT NULL
        """;

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

    /// <summary>The caller's closed campaigns that pass the filter, oldest close first, with what the trader attached.</summary>
    public async Task<(List<CampaignSummary> Campaigns, string? Currency)> LoadAsync(JournalCaller caller, JournalFilter filter, TimeZoneInfo zone, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(zone);
        await using var db = await factory.CreateDbContextAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        // PostgreSQL's JIT compiled the campaigns' query (its estimates were far above jit_above_cost) and spent 2 of
        // 2.9 s doing so over 100 000 campaigns; the query itself runs in well under a second without it.
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Its hash of the decision contexts holds one row per campaign (about 6 MB at 100 000): with the default 4 MB
        // work_mem it ran in batches.
        await using (var settings = new NpgsqlCommand("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'", connection, transaction)) await settings.ExecuteNonQueryAsync(ct);
        var tags = await ListsByGroupAsync(connection, transaction, TagsSql, caller.UserId, static (reader, add) =>
        {
            // A note names its campaign by number; only the number's own spelling matches (as the text join did).
            var tradeId = reader.GetString(0);
            if (!long.TryParse(tradeId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var group)
                || group.ToString(System.Globalization.CultureInfo.InvariantCulture) != tradeId) return;
            foreach (var tag in JsonArrayText(reader.GetString(1))) add(group, tag);
        }, ct);
        var broken = await ListsByGroupAsync(connection, transaction, BrokenSql, caller.UserId, static (reader, add) => add(reader.GetInt64(0), reader.GetString(1)), ct);

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var (sql, parameters) = Query(caller, filter, zone);
        command.CommandText = sql;
        command.Parameters.AddRange(parameters);

        var campaigns = new List<CampaignSummary>();
        // The opening contexts' emotions come as JSON text, mostly a few of the same short lists: each is parsed once.
        var emotionLists = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? currency = null;
        var mixed = false;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var group = reader.GetInt64(0);
                var opened = reader.GetFieldValue<DateTimeOffset>(3);
                var closed = reader.GetFieldValue<DateTimeOffset>(4);
                var r = reader.IsDBNull(6) ? (double?)null : reader.GetDouble(6);
                campaigns.Add(new CampaignSummary(
                    group,
                    reader.GetString(1),
                    reader.GetString(2) == "short" ? CampaignDirection.Short : CampaignDirection.Long,
                    opened,
                    closed,
                    reader.GetDecimal(5),
                    r is { } rv && double.IsFinite(rv) ? (decimal)rv : null,
                    reader.GetDecimal(7),
                    closed - opened,
                    NullableString(reader, 8),
                    tags.GetValueOrDefault(group),
                    reader.IsDBNull(10) ? null : Emotions(reader.GetString(10), emotionLists),
                    NullableString(reader, 9),
                    broken.GetValueOrDefault(group)));
                var c = reader.GetString(11);
                if (currency is null && !mixed) currency = c;
                else if (!mixed && !string.Equals(currency, c, StringComparison.Ordinal)) (mixed, currency) = (true, null);
            }
        }
        // Oldest close first, then by group id (the campaigns' query leaves the order to this).
        campaigns.Sort(static (a, b) => a.ClosedAt.UtcTicks != b.ClosedAt.UtcTicks ? a.ClosedAt.UtcTicks.CompareTo(b.ClosedAt.UtcTicks) : a.GroupId.CompareTo(b.GroupId));
        return (campaigns, currency);
    }

    /// <summary>The statistics query and its parameters (for the bench's EXPLAIN too).</summary>
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
        if (filter.StrategyId is { } strategy)
        {
            sql.Append(" AND COALESCE(s.strategy_id, d.strategy_id) = @strategy");
            parameters.Add(new NpgsqlParameter("strategy", NpgsqlDbType.Bigint) { Value = strategy });
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

    /// <summary>
    /// Runs a query of the caller's rows that each give (group id, item) pairs through <paramref name="read"/>, and returns
    /// each group's distinct items in ordinal order (as the SQL's array_agg(DISTINCT … ORDER BY …) gave them).
    /// </summary>
    private static async Task<Dictionary<long, string[]>> ListsByGroupAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Guid user,
        Action<DbDataReader, Action<long, string>> read, CancellationToken ct)
    {
        var sets = new Dictionary<long, SortedSet<string>>();
        void Add(long group, string item)
        {
            if (!sets.TryGetValue(group, out var set)) sets[group] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.Add(item);
        }
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter("user", NpgsqlDbType.Uuid) { Value = user });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) read(reader, Add);
        }
        var lists = new Dictionary<long, string[]>(sets.Count);
        foreach (var (group, set) in sets) lists[group] = [.. set];
        return lists;
    }

    private static string[] Emotions(string json, Dictionary<string, string[]> parsed)
    {
        if (!parsed.TryGetValue(json, out var list)) parsed[json] = list = JsonArrayText(json);
        return list;
    }

    private static string? NullableString(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

}
