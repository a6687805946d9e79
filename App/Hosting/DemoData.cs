using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Features.MarketData.Sync;
using Signalbook.Features.Models;
using Signalbook.Features.Recommendations;
using Signalbook.Features.Regimes;
using Signalbook.Features.Users;
using Signalbook.Features.Waitlist;

namespace Signalbook.Hosting;

/// <summary>The parts of the demo content, in the order they are seeded.</summary>
[Flags]
public enum DemoParts
{
    None = 0,
    Users = 1,
    Market = 2,
    Models = 4,
    Waitlist = 8,
    Portfolios = 16,
    Journal = 32,
    Notifications = 64,
    Alerts = 128,
    All = Users | Market | Models | Waitlist | Portfolios | Journal | Notifications | Alerts,
}

/// <summary>
/// Demo content for a first look (README's start command): a trader and a viewer account, the demo
/// market (30 instruments with daily and 15-minute bars, their features, and daily regimes), trained models with
/// recommendations and a track record, sixty waitlist sign-ups spread over the last 45 days, and the trader's paper
/// portfolio built by following the recommendations (<see cref="DemoPortfolioSeeder"/>), and the trader's journal of
/// discretionary fills with contexts, nudges and notes (<see cref="DemoJournalSeeder"/>), and notifications for the trader and
/// the admins, some read (<see cref="DemoNotificationsSeeder"/>). Deterministic and idempotent.
/// </summary>
public sealed class DemoData(
    UserManager<AppUser> users,
    IDbContextFactory<AppDbContext> factory,
    DemoProvider market,
    InstrumentService instruments,
    MarketDataSyncService sync,
    FeatureService features,
    RegimeService regimes,
    ModelDataStore modelData,
    ModelRegistry models,
    ScoringService scoring,
    OutcomeBackfill outcomes,
    DemoPortfolioSeeder portfolios,
    DemoJournalSeeder journal,
    DemoNotificationsSeeder notifications,
    DemoAlertsSeeder alerts,
    TimeProvider clock,
    ILogger<DemoData> logger)
{
    public const string TraderEmail = "trader@signalbook.local";
    public const string ViewerEmail = "viewer@signalbook.local";
    public const string Password = "Demo-Password-2026";

    private static readonly string[] FirstNames = ["Ada", "Ben", "Chloé", "Dev", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Luca", "Maya", "Nils", "Olu"];
    private static readonly string[] LastNames = ["Moreau", "Okafor", "Schmidt", "Tanaka", "Rossi", "Novak", "Haddad", "Larsen", "Silva", "Kowalski"];
    private static readonly string[] Referrals = ["A friend", "Reddit r/algotrading", "Hacker News", "A conference talk", "GitHub", "Search engine", ""];

    public Task SeedAsync(CancellationToken ct = default) => SeedAsync(DemoParts.All, ct);

    /// <summary>Seeds the chosen parts (the migration-upgrade test seeds only what an older schema has tables for).</summary>
    public async Task SeedAsync(DemoParts parts, CancellationToken ct = default)
    {
        if (parts.HasFlag(DemoParts.Users))
        {
            await EnsureUserAsync(TraderEmail, "Demo Trader", Roles.Trader);
            await EnsureUserAsync(ViewerEmail, "Demo Viewer", Roles.Viewer);
        }
        if (parts.HasFlag(DemoParts.Market)) await SeedMarketAsync(ct);
        if (parts.HasFlag(DemoParts.Models)) await SeedModelsAsync(ct);
        if (parts.HasFlag(DemoParts.Waitlist)) await SeedWaitlistAsync(ct);
        if (parts.HasFlag(DemoParts.Portfolios) && await users.FindByEmailAsync(TraderEmail) is { } trader) await portfolios.SeedAsync(trader.Id, ct);
        if (parts.HasFlag(DemoParts.Journal) && await users.FindByEmailAsync(TraderEmail) is { } journaler) await journal.SeedAsync(journaler.Id, ct);
        if (parts.HasFlag(DemoParts.Notifications) && await users.FindByEmailAsync(TraderEmail) is { } notified) await notifications.SeedAsync(notified.Id, ct);
        // Last: the rules watch the market, the recommendations and the portfolio seeded above.
        if (parts.HasFlag(DemoParts.Alerts) && await users.FindByEmailAsync(TraderEmail) is { } watcher) await alerts.SeedAsync(watcher.Id, ct);
    }

    /// <summary>
    /// The demo provider's 30 instruments: 3 years of daily bars and 30 days of 15-minute bars, with features,
    /// fetched through the real incremental sync (so a restart fetches only the new sessions, and every run
    /// is in data_sync_log). The demo's random walk is drawn over its moving three-year window, so on a later
    /// day it is a different path: when the newest stored bar no longer matches the provider, the instrument's
    /// demo bars and features are dropped and fetched again whole, rather than splicing two paths together.
    /// </summary>
    private async Task SeedMarketAsync(CancellationToken ct)
    {
        var demoSync = sync.Using(market);
        var fetched = 0;
        var refreshed = 0;
        foreach (var info in DemoProvider.Universe)
        {
            var id = await instruments.EnsureAsync(info, ct);
            if (await PathMovedAsync(id, info.Symbol, ct))
            {
                await using var db = await factory.CreateDbContextAsync(ct);
                await db.Features.Where(f => f.InstrumentId == id).ExecuteDeleteAsync(ct);
                await db.PriceBars.Where(p => p.InstrumentId == id && p.Source == market.Name).ExecuteDeleteAsync(ct);
                refreshed++;
            }
            foreach (var interval in new[] { Intervals.OneDay, Intervals.FifteenMinutes })
            {
                var result = await demoSync.SyncAsync(id, interval, ct);
                if (result.Status == "failed") throw new InvalidOperationException($"Demo data: {result.Error}");
                fetched += result.BarsFetched;
                await features.UpdateAsync(id, interval, ct);
                // Daily regimes only (what the Markets page shows): fitting the 15-minute series too costs ≈ 0.3 s per
                // instrument in a Debug build, paid by every test class that seeds the demo, for a view no page has yet.
                if (interval == Intervals.OneDay) await regimes.UpdateAsync(id, interval, ct);
            }
        }
        logger.LogInformation("Demo data: {Count} instruments synced, {Bars} new bars with features ({Refreshed} redrawn)",
            DemoProvider.Universe.Count, fetched, refreshed);
    }

    /// <summary>Replay window of the demo's first model: about six months of bars it never saw.</summary>
    private const int ReplayBars = 130;

    private static readonly IReadOnlyDictionary<string, double> DemoGbdt = new Dictionary<string, double>
    {
        ["trees"] = 120, ["learning_rate"] = 0.05, ["max_depth"] = 3, ["min_samples_leaf"] = 50, ["early_stopping_rounds"] = 20,
    };

    /// <summary>
    /// Models for the demo, trained through the same pipeline as an admin's training run. v1 of the verdict classifier
    /// learns from data ending about six months ago and is replayed weekly over the bars after it (out of sample, so
    /// the track record has honest outcomes to show); v2 learns from everything and is active, beside a ridge
    /// price regressor. Later starts only back-fill outcomes and score the new bars.
    /// </summary>
    private async Task SeedModelsAsync(CancellationToken ct)
    {
        if (await models.ActiveAsync(ModelTypes.VerdictClassifier, ct) is null)
        {
            var data = await modelData.LoadDailyAsync(ct: ct);
            var dates = data.SelectMany(i => i.Ts).Distinct().Order().ToArray();
            if (dates.Length < ReplayBars * 3) throw new InvalidOperationException($"Demo data: {dates.Length} daily bars are too few to train the demo models.");
            var cutoff = dates[^ReplayBars];
            var spec = new TrainingSpec { Algorithm = Algorithms.Gbdt, Hyperparameters = DemoGbdt, Horizon = 5 };
            var v1 = await models.RegisterAsync(ModelTrainer.Train(data, spec with { DataTo = cutoff }, ct: ct), ct: ct);
            var replayed = await scoring.ReplayAsync(v1.Id, dates[^(ReplayBars - 1)], everyBars: 5, ct);
            var v2 = await models.RegisterAsync(ModelTrainer.Train(data, spec, ct: ct), ct: ct);
            await models.ActivateAsync(v2.Id, AuditActor.System, ct);
            var ridge = new TrainingSpec { ModelType = ModelTypes.PriceRegressor, Algorithm = Algorithms.Ridge, Horizon = 5 };
            var regressor = await models.RegisterAsync(ModelTrainer.Train(data, ridge, ct: ct), ct: ct);
            await models.ActivateAsync(regressor.Id, AuditActor.System, ct);
            logger.LogInformation("Demo data: trained {V1} (replayed as {Replayed} past recommendations) and {V2} (active) and a price regressor",
                v1.Version, replayed, v2.Version);
        }
        var filled = await outcomes.RunAsync(ct);
        var run = await scoring.ScoreAsync(ct: ct);
        logger.LogInformation("Demo data: {Evaluated} outcomes back-filled ({Pending} pending), {Scored} instruments scored", filled.Evaluated, filled.Pending, run.Scored);
    }

    /// <summary>Whether the stored newest daily bar differs from what the demo provider now draws for that day.</summary>
    private async Task<bool> PathMovedAsync(long id, string symbol, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var newest = await db.PriceBars.AsNoTracking().Where(p => p.InstrumentId == id && p.Interval == Intervals.OneDay && p.Source == market.Name)
            .OrderByDescending(p => p.Ts).Select(p => new { p.Ts, p.Close }).FirstOrDefaultAsync(ct);
        if (newest is null) return false;
        var now = await market.GetBarsAsync(symbol, Intervals.OneDay, newest.Ts, newest.Ts, ct);
        return now.Count == 0 || Math.Abs(now[0].Close - newest.Close) > 1e-9;
    }

    private async Task SeedWaitlistAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.Waitlist.AnyAsync(w => w.Email.EndsWith("@demo.signalbook.local"), ct)) return;
        var random = new Random(20261121);
        var now = clock.GetUtcNow();
        for (var i = 0; i < 60; i++)
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var email = $"{first.ToLowerInvariant().Replace('é', 'e')}.{last.ToLowerInvariant()}{i}@demo.signalbook.local";
            // More sign-ups recently: a growing product.
            var daysAgo = (int)Math.Floor(45 * Math.Pow(random.NextDouble(), 1.6));
            var at = now.AddDays(-daysAgo).AddMinutes(-random.Next(0, 1440));
            var status = i % 9 == 0 ? WaitlistStatus.Rejected : i % 5 == 0 ? WaitlistStatus.Approved : WaitlistStatus.Pending;
            db.Waitlist.Add(new WaitlistEntry
            {
                Name = $"{first} {last}",
                Email = email,
                NormalizedEmail = WaitlistService.Normalize(email),
                Referral = Referrals[random.Next(Referrals.Length)] is { Length: > 0 } r ? r : null,
                Status = status,
                CreatedAt = at,
                UpdatedAt = at,
                DecidedAt = status == WaitlistStatus.Pending ? null : at.AddHours(6),
                // Demo approvals carry an expired, unusable invitation hash: only real approvals mint links.
                InvitationTokenHash = status == WaitlistStatus.Approved ? WaitlistService.HashToken(Guid.NewGuid().ToString()) : null,
                InvitationExpiresAt = status == WaitlistStatus.Approved ? at.AddDays(7) : null,
            });
        }
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Demo data: {Trader} and {Viewer} (password {Password}), 60 waitlist sign-ups", TraderEmail, ViewerEmail, Password);
    }

    private async Task EnsureUserAsync(string email, string name, string role)
    {
        if (await users.FindByEmailAsync(email) is not null) return;
        var now = clock.GetUtcNow();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, Name = name, CreatedAt = now, UpdatedAt = now };
        (await users.CreateAsync(user, Password)).ThrowIfFailed($"create demo user {email}");
        await users.AddToRoleAsync(user, role);
    }
}
