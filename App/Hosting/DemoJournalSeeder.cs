using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Users;

namespace Signalbook.Hosting;

/// <summary>
/// The demo trader's journal: about four months of discretionary fills on eight demo instruments, priced inside each
/// day's stored bar (so MAE/MFE come from real bars), imported through the real generic-CSV import as one batch; two
/// strategies with criteria (their family detected); a decision context on most entries (hypothesis, stop and target,
/// feelings, the market snapshot of that moment) checked against the trader's rules, so nudges appear where the demo
/// breaks them (a missing stop, a revenge trade after a loss, an oversized position); daily notes with tags and moods.
/// Deterministic for a given set of bars; skipped when the trader already has the demo batch.
/// </summary>
public sealed class DemoJournalSeeder(IDbContextFactory<AppDbContext> factory, FillImportService imports, JournalNudgeService nudges,
    MarketSnapshotService snapshots, UserSettingsService settings, CampaignStore campaigns, TimeProvider clock, ILogger<DemoJournalSeeder> logger)
{
    public const string FileName = "demo-broker-export.csv";
    public const string PullbackStrategy = "Pullback in an uptrend";
    public const string BreakoutStrategy = "Range breakout";
    private static readonly string[] Moods = ["calm", "focused", "confident", "anxious", "frustrated", "impatient"];

    private sealed record Leg(string Symbol, DateTimeOffset At, bool Buy, int Quantity, decimal Price);

    private sealed record Plan(string Symbol, bool Long, Leg Entry, decimal Stop, decimal Target, string Strategy, bool WithStop, string[] Feelings, string Hypothesis);

    public async Task SeedAsync(Guid traderId, CancellationToken ct)
    {
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            if (await db.ImportBatches.AnyAsync(b => b.UserId == traderId && b.FileName == FileName, ct)) return;
        }
        var bars = await LoadBarsAsync(ct);
        if (bars.Count == 0)
        {
            logger.LogInformation("Demo journal: no demo bars to trade");
            return;
        }
        await settings.UpdateTradingProfileAsync(traderId, p => p with { AccountBalance = 50_000m, TimeZone = "America/New_York", TradingStyle = "swing" }, ct);
        var strategies = await EnsureStrategiesAsync(traderId, ct);

        var random = new Random(20261201);
        var legs = new List<Leg>();
        var plans = new List<Plan>();
        foreach (var (symbol, series) in bars)
        {
            var day = random.Next(3, 8);
            while (day < series.Count - 3)
            {
                var entryBar = series[day];
                var isLong = random.Next(10) < 8;
                var breakout = random.Next(2) == 0;
                var entryPrice = Inside(entryBar, random);
                var quantity = (int)Math.Max(5, Math.Round(5_000m / entryPrice / 5) * 5) * (random.Next(12) == 0 ? 4 : 1);
                var entryAt = SessionTime(entryBar.Day, random);
                var entry = new Leg(symbol, entryAt, isLong, quantity, entryPrice);
                legs.Add(entry);
                var risk = entryPrice * (0.03m + (decimal)random.NextDouble() * 0.03m);
                var stop = Math.Round(isLong ? entryPrice - risk : entryPrice + risk, 2);
                var target = Math.Round(isLong ? entryPrice + 2.2m * risk : entryPrice - 2.2m * risk, 2);
                var feelings = new[] { Emotions.All[random.Next(Emotions.All.Count)] };
                plans.Add(new Plan(symbol, isLong, entry, stop, target, breakout ? BreakoutStrategy : PullbackStrategy, random.Next(8) != 0, feelings,
                    breakout ? $"{symbol} is pressing the top of a three-week range on rising volume; a close above it should run."
                             : $"{symbol} pulled back to its 20-day average inside an uptrend; buyers have defended that level twice."));
                var hold = random.Next(1, 9);
                var exitDay = Math.Min(day + hold, series.Count - 1);
                if (random.Next(3) == 0 && exitDay > day + 1)
                {
                    var addBar = series[day + 1];
                    legs.Add(new Leg(symbol, SessionTime(addBar.Day, random), isLong, quantity / 2, Inside(addBar, random)));
                    quantity += quantity / 2;
                }
                if (random.Next(3) == 0 && exitDay > day + 2)
                {
                    var partBar = series[exitDay - 1];
                    var part = quantity / 2;
                    legs.Add(new Leg(symbol, SessionTime(partBar.Day, random), !isLong, part, Inside(partBar, random)));
                    quantity -= part;
                }
                var exitBar = series[exitDay];
                var exitAt = SessionTime(exitBar.Day, random);
                var exitPrice = Inside(exitBar, random);
                legs.Add(new Leg(symbol, exitAt, !isLong, quantity, exitPrice));
                var lost = isLong ? exitPrice < entryPrice : exitPrice > entryPrice;
                if (lost && random.Next(3) == 0 && exitAt.Hour < 19)
                {
                    // A revenge trade: straight back in, bigger, minutes after the loss.
                    var again = new Leg(symbol, exitAt.AddMinutes(12), isLong, quantity * 2, Math.Round(exitPrice * 1.002m, 2));
                    legs.Add(again);
                    plans.Add(new Plan(symbol, isLong, again, 0, 0, PullbackStrategy, false, ["frustrated", "revenge"],
                        $"Getting back into {symbol}; the stop-out was noise."));
                    var outBar = series[Math.Min(exitDay + 1, series.Count - 1)];
                    legs.Add(new Leg(symbol, outBar.Day == exitBar.Day ? exitAt.AddMinutes(95) : SessionTime(outBar.Day, random), !isLong, quantity * 2, Inside(outBar, random)));
                }
                day = exitDay + random.Next(2, 9);
            }
        }

        var csv = new StringBuilder("trade_id,date,symbol,side,quantity,price,commission,currency\n");
        var ordered = legs.OrderBy(l => l.At).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            var l = ordered[i];
            csv.Append(CultureInfo.InvariantCulture, $"DEMO-{i + 1:D5},{l.At.UtcDateTime:yyyy-MM-dd HH:mm:ss},{l.Symbol},{(l.Buy ? "BUY" : "SELL")},{l.Quantity},{l.Price},{Math.Max(1m, l.Quantity * 0.005m):0.00},USD\n");
        }
        var caller = JournalCaller.Trader(traderId);
        var mapping = new GenericCsvMapping
        {
            Date = "date", Symbol = "symbol", Side = "side", Quantity = "quantity", Price = "price", Fees = "commission", Currency = "currency", TradeId = "trade_id",
            DateFormat = "yyyy-MM-dd HH:mm:ss",
        };
        var outcome = await imports.ImportAsync(caller, new ImportRequest(FileName, Encoding.UTF8.GetBytes(csv.ToString()),
            new ImportOptions { TimeZone = "UTC", GenericMapping = mapping }, "generic-csv"), ct);

        var contexts = await AddContextsAsync(traderId, plans, strategies, ct);
        foreach (var id in contexts) await nudges.CheckContextAsync(traderId, id, ct);
        await RebuildAllAsync(traderId, ct);
        var entries = await AddEntriesAsync(traderId, bars, random, ct);
        logger.LogInformation("Demo journal: {Fills} fills, {Campaigns} campaigns, {Contexts} decision contexts, {Entries} notes",
            outcome.Added, outcome.CampaignsRebuilt, contexts.Count, entries);
    }

    private async Task<Dictionary<string, long>> EnsureStrategiesAsync(Guid traderId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        (string Name, StrategyType Type, string Entry, string Exit, double Risk, double Rr)[] wanted =
        [
            (PullbackStrategy, StrategyType.Momentum, "Price above a rising 50-day moving average (an uptrend of higher highs); buy the pullback to the 20-day moving average.",
                "Stop below the pullback's low; target at the prior swing high, at least 2R.", 1.0, 2.0),
            (BreakoutStrategy, StrategyType.Momentum, "Breakout above the range high of the last 15 sessions on volume 1.5× average; a Donchian channel breakout.",
                "Stop back inside the range; trail under each higher low.", 0.75, 2.5),
        ];
        foreach (var w in wanted)
        {
            if (await db.Strategies.AnyAsync(s => s.UserId == traderId && s.Name == w.Name, ct)) continue;
            db.Strategies.Add(new Strategy
            {
                UserId = traderId, Name = w.Name, StrategyType = w.Type, Config = "{}", IsActive = true, Direction = "long",
                Description = "Discretionary setup from the demo trader's journal.", EntryCriteria = w.Entry, ExitCriteria = w.Exit, MaxRiskPct = w.Risk, MinRiskReward = w.Rr,
                ImpliedStrategyFamily = StrategyFamilyDetector.Detect(w.Name, null, w.Entry, w.Exit), CreatedAt = now, UpdatedAt = now,
            });
        }
        await db.SaveChangesAsync(ct);
        return await db.Strategies.AsNoTracking().Where(s => s.UserId == traderId && (s.Name == PullbackStrategy || s.Name == BreakoutStrategy))
            .ToDictionaryAsync(s => s.Name, s => s.Id, ct);
    }

    private async Task<List<long>> AddContextsAsync(Guid traderId, List<Plan> plans, Dictionary<string, long> strategies, CancellationToken ct)
    {
        var ids = new List<long>();
        await using var db = await factory.CreateDbContextAsync(ct);
        var fills = await db.TradeFills.AsNoTracking().Where(f => f.UserId == traderId)
            .Select(f => new { f.Id, f.Symbol, f.ExecutedAt, f.Quantity }).ToListAsync(ct);
        var byKey = fills.GroupBy(f => (f.Symbol, f.ExecutedAt, f.Quantity)).ToDictionary(g => g.Key, g => g.First().Id);
        var now = clock.GetUtcNow();
        var index = 0;
        foreach (var plan in plans)
        {
            if (index++ % 6 == 5) continue; // not every trade gets journaled — as in real life
            if (!byKey.TryGetValue((plan.Symbol, plan.Entry.At, plan.Entry.Quantity), out var fillId)) continue;
            var snapshot = await snapshots.AtAsync(plan.Symbol, plan.Entry.At, RiskProfiles.Moderate, ct);
            var context = new DecisionContext
            {
                UserId = traderId, FillId = fillId, ContextType = DecisionContextTypes.Entry, StrategyId = strategies.GetValueOrDefault(plan.Strategy),
                Hypothesis = plan.Hypothesis,
                ExitIntent = plan.WithStop ? JsonSerializer.Serialize(new { stop = plan.Stop, target = plan.Target }) : null,
                FeelingsThen = JsonSerializer.Serialize(new { emotions = plan.Feelings, intensity = 2 + index % 3 }),
                Notes = plan.WithStop ? null : "Entered without a hard stop; planned to watch it.",
                Snapshot = snapshot.ToJson(), CreatedAt = now, UpdatedAt = now,
            };
            db.DecisionContexts.Add(context);
            await db.SaveChangesAsync(ct);
            ids.Add(context.Id);
        }
        return ids;
    }

    private async Task RebuildAllAsync(Guid traderId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var series = (await db.TradeFills.AsNoTracking().Where(f => f.UserId == traderId).Select(f => new { f.Symbol, f.AssetType }).Distinct().ToListAsync(ct))
            .Select(s => new SeriesKey(s.Symbol, s.AssetType)).ToList();
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await campaigns.RebuildAsync(conn, tx, traderId, series, ct);
        await tx.CommitAsync(ct);
    }

    private async Task<int> AddEntriesAsync(Guid traderId, Dictionary<string, List<DayBar>> bars, Random random, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var days = bars.Values.First().Select(b => b.Day).ToList();
        var now = clock.GetUtcNow();
        var count = 0;
        for (var i = 2; i < days.Count; i += random.Next(3, 7))
        {
            var mood = Moods[random.Next(Moods.Length)];
            var content = mood switch
            {
                "frustrated" or "anxious" => "## What went wrong\n\n- Chased an entry after a stop-out.\n- Sized up to *win it back*.\n\n**Lesson:** walk away for an hour after a loss.",
                "impatient" => "## Notes\n\nNothing set up cleanly; forced a trade out of boredom. Flat is a position.",
                _ => "## Plan followed\n\n- Waited for the pullback to the 20-day.\n- Stop placed before entry.\n\nGood process day regardless of P&L.",
            };
            string[] tags = mood is "frustrated" or "anxious" ? ["discipline", "revenge"] : mood == "impatient" ? ["overtrading"] : ["process", "patience"];
            db.JournalEntries.Add(new JournalEntry
            {
                UserId = traderId, Date = days[i], EntryType = "daily", Content = content, Mood = mood,
                Tags = JsonSerializer.Serialize(tags), CreatedAt = now, UpdatedAt = now,
            });
            count++;
        }
        await db.SaveChangesAsync(ct);
        return count;
    }

    private sealed record DayBar(DateOnly Day, decimal Low, decimal High);

    /// <summary>The last ~85 sessions of daily bars of eight demo instruments, ending two sessions before the newest.</summary>
    private async Task<Dictionary<string, List<DayBar>>> LoadBarsAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var symbols = await db.Instruments.AsNoTracking().Where(i => i.Exchange == DemoProvider.Exchange).OrderBy(i => i.Symbol).Select(i => new { i.Id, i.Symbol }).Take(8).ToListAsync(ct);
        var result = new Dictionary<string, List<DayBar>>();
        foreach (var s in symbols)
        {
            var rows = await db.PriceBars.AsNoTracking().Where(b => b.InstrumentId == s.Id && b.Interval == Intervals.OneDay)
                .OrderByDescending(b => b.Ts).Take(87).Select(b => new { b.Ts, b.Low, b.High }).ToListAsync(ct);
            if (rows.Count < 30) continue;
            result[s.Symbol] = rows.Skip(2).OrderBy(r => r.Ts).Select(r => new DayBar(DateOnly.FromDateTime(r.Ts.UtcDateTime), (decimal)r.Low, (decimal)r.High)).ToList();
        }
        return result;
    }

    private static decimal Inside(DayBar bar, Random random) => Math.Round(bar.Low + (bar.High - bar.Low) * (0.15m + (decimal)random.NextDouble() * 0.7m), 2);

    /// <summary>A time inside the New York session (14:40–20:40 UTC covers it in both summer and winter).</summary>
    private static DateTimeOffset SessionTime(DateOnly day, Random random)
        => new DateTimeOffset(day.ToDateTime(new TimeOnly(14, 40)), TimeSpan.Zero).AddMinutes(random.Next(0, 5 * 60) / 5 * 5);
}
