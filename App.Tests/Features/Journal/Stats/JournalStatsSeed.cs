using System.Text.Json;
using Signalbook.Data;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Portfolios;

namespace Signalbook.Tests.Features.Journal.Stats;

/// <summary>
/// A campaign as a test writes it: its summary row, the opening fill (whose id is the group id) and, when closed, an
/// exit fill, both in campaign_fills; a decision context on the opening fill when it has a strategy on the context,
/// emotions or entry checks; one on the exit fill when it has exit checks; per-trade journal entries, one per tag list.
/// </summary>
public sealed record SeedCampaign(string Symbol, DateTimeOffset OpenedAt, DateTimeOffset? ClosedAt, decimal Pnl)
{
    public string Direction { get; init; } = "long";
    public double? R { get; init; }
    public decimal Fees { get; init; }
    public long? StrategyId { get; init; }
    public long? ContextStrategyId { get; init; }
    public string[]? Emotions { get; init; }
    public string[][]? TagEntries { get; init; }
    public string? Regime { get; init; }
    public string[]? FailedAtEntry { get; init; }
    public string[]? PassedAtEntry { get; init; }
    public string[]? FailedAtExit { get; init; }
    public string Currency { get; init; } = "USD";
    public FillAssetType AssetType { get; init; } = FillAssetType.Equity;
}

/// <summary>Writes journal rows directly (set-up may write to the database; the code under test only reads).</summary>
public static class JournalStatsSeed
{
    private static int _external;

    public static async Task<long> StrategyAsync(AppDbContext db, Guid user, string name)
    {
        var s = new Strategy { UserId = user, Name = name, StrategyType = StrategyType.Momentum, Config = "{}", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        db.Strategies.Add(s);
        await db.SaveChangesAsync();
        return s.Id;
    }

    public static async Task<long> CampaignAsync(AppDbContext db, Guid user, SeedCampaign c)
    {
        var entrySide = c.Direction == "long" ? FillSide.Buy : FillSide.Sell;
        var open = Fill(user, c.Symbol, entrySide, c.OpenedAt, c.AssetType, c.Currency);
        db.TradeFills.Add(open);
        await db.SaveChangesAsync();
        var group = open.Id;
        db.CampaignFills.Add(new CampaignFill { GroupId = group, FillId = open.Id, Quantity = 10, CreatedAt = DateTimeOffset.UtcNow });
        TradeFill? exit = null;
        if (c.ClosedAt is { } closed)
        {
            exit = Fill(user, c.Symbol, entrySide == FillSide.Buy ? FillSide.Sell : FillSide.Buy, closed, c.AssetType, c.Currency);
            db.TradeFills.Add(exit);
            await db.SaveChangesAsync();
            db.CampaignFills.Add(new CampaignFill { GroupId = group, FillId = exit.Id, Quantity = 10, CreatedAt = DateTimeOffset.UtcNow });
        }
        db.CampaignSummaries.Add(new CampaignSummary
        {
            GroupId = group, UserId = user, Symbol = c.Symbol, AssetType = c.AssetType, Direction = c.Direction, OpenedAt = c.OpenedAt, ClosedAt = c.ClosedAt,
            EntryAverage = 100, ExitAverage = c.ClosedAt is null ? null : 101, MaxPosition = 10, OpenQuantity = c.ClosedAt is null ? 10 : 0, RealisedPnl = c.Pnl,
            Fees = c.Fees, RMultiple = c.R, FillCount = c.ClosedAt is null ? 1 : 2, Currency = c.Currency, StrategyId = c.StrategyId, Regime = c.Regime,
            UpdatedAt = DateTimeOffset.UtcNow,
        });
        if (c.ContextStrategyId is not null || c.Emotions is not null || c.FailedAtEntry is not null || c.PassedAtEntry is not null)
        {
            var context = Context(user, open.Id, "entry", c.ContextStrategyId, c.Emotions);
            db.DecisionContexts.Add(context);
            await db.SaveChangesAsync();
            foreach (var code in c.FailedAtEntry ?? []) db.CampaignChecks.Add(Check(user, context.Id, code, passed: false, "at_entry"));
            foreach (var code in c.PassedAtEntry ?? []) db.CampaignChecks.Add(Check(user, context.Id, code, passed: true, "at_entry"));
        }
        if (exit is not null && c.FailedAtExit is not null)
        {
            var context = Context(user, exit.Id, "exit", null, null);
            db.DecisionContexts.Add(context);
            await db.SaveChangesAsync();
            foreach (var code in c.FailedAtExit) db.CampaignChecks.Add(Check(user, context.Id, code, passed: false, "at_exit"));
        }
        foreach (var tags in c.TagEntries ?? []) db.JournalEntries.Add(Entry(user, group.ToString(System.Globalization.CultureInfo.InvariantCulture), tags, "About this trade."));
        await db.SaveChangesAsync();
        return group;
    }

    public static JournalEntry Entry(Guid user, string? tradeId, string[] tags, string content, DateOnly? date = null) => new()
    {
        UserId = user, Date = date ?? new DateOnly(2026, 3, 1), EntryType = tradeId is null ? "daily" : "trade", Content = content, TradeId = tradeId,
        Tags = JsonSerializer.Serialize(tags), CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
    };

    private static TradeFill Fill(Guid user, string symbol, FillSide side, DateTimeOffset at, FillAssetType asset, string currency) => new()
    {
        UserId = user, Symbol = symbol, Side = side, Quantity = 10, Price = 100, ExecutedAt = at, AssetType = asset, Currency = currency,
        ExternalTradeId = $"seed-{Interlocked.Increment(ref _external)}", Source = FillSource.Manual, CreatedAt = DateTimeOffset.UtcNow,
    };

    private static DecisionContext Context(Guid user, long fill, string type, long? strategy, string[]? emotions) => new()
    {
        UserId = user, FillId = fill, ContextType = type, StrategyId = strategy,
        FeelingsThen = emotions is null ? null : JsonSerializer.Serialize(new { emotions, intensity = 3 }),
        CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
    };

    private static CampaignCheck Check(Guid user, long context, string code, bool passed, string phase) => new()
    {
        UserId = user, DecisionContextId = context, CheckType = code, Severity = "warn", Passed = passed, CheckedAt = DateTimeOffset.UtcNow, CheckPhase = phase,
    };

    /// <summary>
    /// The hand-worked set (UTC): four closed campaigns and an open one for <paramref name="user"/>.
    /// <list type="number">
    /// <item>AAPL long, Mon 2 Mar 14:00 → Tue 3 Mar 15:00, +300, 1.5R, fees 2, Breakout, calm, tag plan, bull.</item>
    /// <item>MSFT short, Wed 4 Mar 15:00 → 18:00, −100, −1R, fees 1, Breakout on its entry context only, fomo + anxious,
    /// failed stop_required at entry, bear.</item>
    /// <item>AAPL long, Thu 5 Mar 14:30 → Fri 6 Mar 16:00, +200, 2R, fees 1, no strategy, tags plan (twice) and late, failed
    /// max_trades at exit, passed stop_required at entry, bull.</item>
    /// <item>TSLA long, Mon 9 Mar 14:00 → Tue 10 Mar 23:30 (Wed 11 Mar in Tokyo, Tue 10 Mar in New York), −50, −0.5R, fees
    /// 1, MeanRev, failed stop_required at entry, no regime.</item>
    /// <item>NVDA long opened Wed 11 Mar, still open.</item>
    /// </list>
    /// Totals: 4 closed, 2 won, 2 lost, net +350, fees 5, expectancy 87.5, profit factor 500 ÷ 150, average R 0.5,
    /// deepest drawdown −100 (after 4 Mar).
    /// </summary>
    public static async Task<HandWorked> HandWorkedAsync(AppDbContext db, Guid user)
    {
        var breakout = await StrategyAsync(db, user, "Breakout");
        var meanRev = await StrategyAsync(db, user, "MeanRev");
        var a1 = await CampaignAsync(db, user, new SeedCampaign("AAPL", At(2, 14), At(3, 15), 300m)
        {
            R = 1.5, Fees = 2, StrategyId = breakout, Emotions = ["calm"], TagEntries = [["plan"]], Regime = "bull",
        });
        var m2 = await CampaignAsync(db, user, new SeedCampaign("MSFT", At(4, 15), At(4, 18), -100m)
        {
            Direction = "short", R = -1, Fees = 1, ContextStrategyId = breakout, Emotions = ["fomo", "anxious"], FailedAtEntry = ["stop_required"], Regime = "bear",
        });
        var a3 = await CampaignAsync(db, user, new SeedCampaign("AAPL", At(5, 14, 30), At(6, 16), 200m)
        {
            R = 2, Fees = 1, TagEntries = [["plan"], ["late", "plan"]], FailedAtExit = ["max_trades"], PassedAtEntry = ["stop_required"], Regime = "bull",
        });
        var t4 = await CampaignAsync(db, user, new SeedCampaign("TSLA", At(9, 14), At(10, 23, 30), -50m)
        {
            R = -0.5, Fees = 1, StrategyId = meanRev, FailedAtEntry = ["stop_required"],
        });
        var open = await CampaignAsync(db, user, new SeedCampaign("NVDA", At(11, 14), null, 0m));
        return new HandWorked(breakout, meanRev, a1, m2, a3, t4, open);
    }

    public static DateTimeOffset At(int day, int hour, int minute = 0) => new(2026, 3, day, hour, minute, 0, TimeSpan.Zero);
}

public sealed record HandWorked(long Breakout, long MeanRev, long Aapl1, long Msft2, long Aapl3, long Tsla4, long OpenNvda);
