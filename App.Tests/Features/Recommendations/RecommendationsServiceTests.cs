using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Audit;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;
using Signalbook.Features.Recommendations;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Recommendations;

/// <summary>The harness with a shortcut to the recommendations service.</summary>
public class RecommendationsHarness : ServiceHarness
{
    public Task<T> Consent<T>(Func<RiskConsentService, Task<T>> act) => WithAsync(act);

    public Task<T> Dashboards<T>(Func<RecommendationDashboardService, Task<T>> act) => WithAsync(act);

    public Task<T> Details<T>(Func<RecommendationDetailService, Task<T>> act) => WithAsync(act);

    public Task<T> Tracks<T>(Func<TrackRecordService, Task<T>> act) => WithAsync(act);

    public async Task<long> AddModelAsync(string version = "v1", bool active = true)
    {
        await using var db = await DbAsync();
        var model = new MlModel { ModelType = ModelTypes.VerdictClassifier, Version = version, Algorithm = "gbdt", ParamsHash = version, FeatureVersion = "f1",
            IsActive = active, CreatedAt = Clock.GetUtcNow() };
        db.MlModels.Add(model);
        await db.SaveChangesAsync();
        return model.Id;
    }

    public async Task<long> AddInstrumentAsync(string symbol, string exchange = "NASDAQ", string sector = "Technology", string cap = "large")
    {
        await using var db = await DbAsync();
        var i = new Instrument { Symbol = symbol, Exchange = exchange, Name = symbol + " Inc", Sector = sector, MarketCapBucket = cap,
            CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() };
        db.Instruments.Add(i);
        await db.SaveChangesAsync();
        return i.Id;
    }

    public static RecommendationSnapshot Snapshot(double close = 100, string regime = "calm-up", int stateId = 0, DateTimeOffset? asOf = null,
        IReadOnlyDictionary<string, double?>? features = null, IReadOnlyList<SnapshotDriver>? drivers = null) => new()
    {
        AsOf = asOf ?? new DateTimeOffset(2026, 11, 19, 21, 0, 0, TimeSpan.Zero),
        Close = close,
        Atr14 = 2,
        FeatureVersion = "f1",
        Model = new SnapshotModel(1, ModelTypes.VerdictClassifier, "v1", "gbdt", "h"),
        Probabilities = new Dictionary<string, double> { ["SELL"] = 0.2, ["HOLD"] = 0.3, ["BUY"] = 0.5 },
        RawProbabilities = new Dictionary<string, double> { ["SELL"] = 0.25, ["HOLD"] = 0.3, ["BUY"] = 0.45 },
        ModelLabel = "BUY",
        Regime = new SnapshotRegime(stateId, regime, 0.9),
        Features = features ?? new Dictionary<string, double?> { ["rsi_14"] = 55 },
        Drivers = drivers ?? [],
        Rules = new SnapshotRules(0.4, 2, 0.01, 0.1, 2, ["stressed"]),
    };

    public async Task<long> AddRecommendationAsync(long instrumentId, long modelId, string label, double confidence, string profile = RiskProfiles.Moderate,
        double? expected = 1.0, DateTimeOffset? at = null, bool active = true, RecommendationSnapshot? snapshot = null)
    {
        await using var db = await DbAsync();
        var r = new Recommendation
        {
            InstrumentId = instrumentId, ModelVersionId = modelId, Profile = profile, Label = label, Confidence = confidence, ExpectedReturnPct = expected,
            HorizonDays = 5, StopLoss = 96, TakeProfit = 108, Justification = "Momentum and calm regime.", FeaturesSnapshot = (snapshot ?? Snapshot()).ToJson(),
            GeneratedAt = at ?? Clock.GetUtcNow().AddHours(-1), IsActive = active,
        };
        db.Recommendations.Add(r);
        await db.SaveChangesAsync();
        return r.Id;
    }

    public async Task AddOutcomeAsync(long recommendationId, bool? correct, double entry, double? actual, double expectedPct)
    {
        await using var db = await DbAsync();
        var r = await db.Recommendations.SingleAsync(x => x.Id == recommendationId);
        db.MlPredictions.Add(new MlPrediction
        {
            ModelName = ModelTypes.VerdictClassifier, ModelVersion = "v1", Symbol = "X", InstrumentId = r.InstrumentId, RecommendationId = r.Id,
            PredictedPrice = entry * (1 + expectedPct / 100), PredictedDirection = r.Label == "BUY" ? "up" : r.Label == "SELL" ? "down" : "neutral",
            Confidence = r.Confidence, PredictedAt = r.GeneratedAt, PredictionHorizon = 5 * 24 * 60, ActualPrice = actual, WasCorrect = correct,
            EvaluatedAt = correct is null ? null : r.GeneratedAt.AddDays(7),
        });
        await db.SaveChangesAsync();
    }

    public async Task<Guid> ConsentingTraderAsync(string email)
    {
        var user = await CreateUserAsync(email);
        await Consent(s => s.AcceptRiskDisclosureAsync(user.Id));
        return user.Id;
    }
}

public sealed class RecommendationsServiceTests : RecommendationsHarness
{
    [Fact]
    public async Task AcceptRiskDisclosure_CreatesTheSettingsRow_StoresTheTime_AndAuditsOnce()
    {
        var user = await CreateUserAsync("consent@test.local");
        Assert.False((await Consent(s => s.ConsentAsync(user.Id))).Accepted);
        var at = Clock.GetUtcNow();

        var state = await Consent(s => s.AcceptRiskDisclosureAsync(user.Id, ActorOf(user)));
        Assert.Equal(new ConsentState(true, at), state);
        Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(new ConsentState(true, at), await Consent(s => s.AcceptRiskDisclosureAsync(user.Id, ActorOf(user)))); // first time kept

        await using var db = await DbAsync();
        var settings = await db.UserSettings.SingleAsync(s => s.UserId == user.Id);
        Assert.True(settings.RiskConsentAccepted);
        Assert.Equal(at, settings.RiskConsentAcceptedAt);
        var audits = await db.AuditLogs.Where(a => a.Action == AuditActions.RiskConsentAccepted).ToListAsync();
        var entry = Assert.Single(audits);
        Assert.Equal(user.Id, entry.UserId);
        Assert.Equal(user.Id.ToString(), entry.ResourceId);
        Assert.Equal(at, entry.OccurredAt);
    }

    [Fact]
    public async Task Queries_BeforeConsent_AreRefused()
    {
        var user = await CreateUserAsync("noconsent@test.local");
        var model = await AddModelAsync();
        var id = await AddRecommendationAsync(await AddInstrumentAsync("AAA"), model, "BUY", 0.7);
        await Assert.ThrowsAsync<RiskConsentRequiredException>(() => Dashboards(s => s.DashboardAsync(user.Id, new RecommendationQuery())));
        await Assert.ThrowsAsync<RiskConsentRequiredException>(() => Details(s => s.DetailAsync(user.Id, id)));
        await Assert.ThrowsAsync<RiskConsentRequiredException>(() => Tracks(s => s.TrackRecordAsync(user.Id)));
    }

    [Fact]
    public async Task PreferredProfile_DefaultsToModerate_AndIsStored()
    {
        var user = await CreateUserAsync("profile@test.local");
        Assert.Equal(RiskProfiles.Moderate, await Consent(s => s.PreferredProfileAsync(user.Id)));
        await Consent(async s => { await s.SetPreferredProfileAsync(user.Id, RiskProfiles.Aggressive); return 0; });
        Assert.Equal(RiskProfiles.Aggressive, await Consent(s => s.PreferredProfileAsync(user.Id)));
        await Assert.ThrowsAsync<ArgumentException>(() => Consent(async s => { await s.SetPreferredProfileAsync(user.Id, "reckless"); return 0; }));
    }

    private async Task<(Guid User, Dictionary<string, long> Ids)> SeedDashboardAsync()
    {
        var user = await ConsentingTraderAsync("dash@test.local");
        var model = await AddModelAsync();
        var ids = new Dictionary<string, long>
        {
            ["AAA"] = await AddRecommendationAsync(await AddInstrumentAsync("AAA", "NASDAQ", "Technology", "large"), model, "BUY", 0.80, expected: 2.5,
                snapshot: Snapshot(close: 50, regime: "calm-up")),
            ["BBB"] = await AddRecommendationAsync(await AddInstrumentAsync("BBB", "NYSE", "Energy", "mid"), model, "SELL", 0.60, expected: -1.5,
                snapshot: Snapshot(regime: "stressed", stateId: 2)),
            ["CCC"] = await AddRecommendationAsync(await AddInstrumentAsync("CCC", "NASDAQ", "Energy", "small"), model, "HOLD", 0.45, expected: 0.2,
                snapshot: Snapshot(regime: "choppy", stateId: 1)),
            ["DDD"] = await AddRecommendationAsync(await AddInstrumentAsync("DDD", "NYSE", "Technology", "large"), model, "BUY", 0.55, expected: null,
                snapshot: Snapshot(regime: "unusual", stateId: -1)),
        };
        // Another profile and an inactive (history) row never show on the moderate dashboard.
        var aaa = (await DbAsync()).Instruments.Single(i => i.Symbol == "AAA").Id;
        await AddRecommendationAsync(aaa, model, "SELL", 0.9, profile: RiskProfiles.Aggressive);
        await AddRecommendationAsync(aaa, model, "SELL", 0.9, at: Clock.GetUtcNow().AddDays(-3), active: false);
        return (user, ids);
    }

    private Task<DashboardResult> Dashboard(Guid user, RecommendationQuery q) => Dashboards(s => s.DashboardAsync(user, q));

    [Fact]
    public async Task Dashboard_EachFilterNarrowsTheActiveRecommendationsOfTheProfile()
    {
        var (user, _) = await SeedDashboardAsync();
        async Task<string[]> Symbols(RecommendationQuery q) => (await Dashboard(user, q with { SortBy = RecommendationSort.Symbol, Descending = false })).Rows.Select(r => r.Symbol).ToArray();

        Assert.Equal(["AAA", "BBB", "CCC", "DDD"], await Symbols(new()));
        Assert.Equal(["AAA", "DDD"], await Symbols(new(Label: "BUY")));
        Assert.Equal(["BBB", "DDD"], await Symbols(new(Exchange: "NYSE")));
        Assert.Equal(["BBB", "CCC"], await Symbols(new(Sector: "Energy")));
        Assert.Equal(["AAA", "DDD"], await Symbols(new(MarketCap: "large")));
        Assert.Equal(["AAA", "BBB"], await Symbols(new(MinConfidence: 0.6)));
        Assert.Equal(["BBB"], await Symbols(new(Regime: "stressed")));
        Assert.Equal(["DDD"], await Symbols(new(Regime: "unusual")));
        Assert.Equal(["AAA"], await Symbols(new(Profile: RiskProfiles.Aggressive)));
        Assert.Empty(await Symbols(new(Profile: RiskProfiles.Conservative)));
        Assert.Equal(["DDD"], await Symbols(new(Label: "BUY", Exchange: "NYSE")));

        var energy = await Dashboard(user, new(Sector: "Energy", Label: "SELL"));
        Assert.Equal(1, energy.Total);
        // Label counts keep every label under the other filters, so the summary still shows the split.
        Assert.Equal(new Dictionary<string, int> { ["BUY"] = 0, ["HOLD"] = 1, ["SELL"] = 1 }, energy.LabelCounts);

        var aaa = (await Dashboard(user, new(Label: "BUY", MinConfidence: 0.7))).Rows.Single();
        Assert.Equal((50.0, 96.0, 108.0, "calm-up", "v1", 2.5), (aaa.Entry!.Value, aaa.StopLoss!.Value, aaa.TakeProfit!.Value, aaa.Regime, aaa.ModelVersion, aaa.ExpectedReturnPct!.Value));
        Assert.Equal("v1", Assert.Single((await Dashboard(user, new())).Models).Version);
    }

    [Fact]
    public async Task Dashboard_SortsByConfidenceExpectedReturnAndSymbol_BothWays_AndPages()
    {
        var (user, _) = await SeedDashboardAsync();
        async Task<string[]> Order(string by, bool desc, int skip = 0, int take = 25)
            => (await Dashboard(user, new(SortBy: by, Descending: desc, Skip: skip, Take: take))).Rows.Select(r => r.Symbol).ToArray();

        Assert.Equal(["AAA", "BBB", "DDD", "CCC"], await Order(RecommendationSort.Confidence, true));
        Assert.Equal(["CCC", "DDD", "BBB", "AAA"], await Order(RecommendationSort.Confidence, false));
        Assert.Equal(["AAA", "CCC", "BBB", "DDD"], await Order(RecommendationSort.ExpectedReturn, true)); // no estimate last
        Assert.Equal(["BBB", "CCC", "AAA", "DDD"], await Order(RecommendationSort.ExpectedReturn, false));
        Assert.Equal(["DDD", "CCC", "BBB", "AAA"], await Order(RecommendationSort.Symbol, true));
        Assert.Equal(["BBB", "DDD"], await Order(RecommendationSort.Confidence, true, skip: 1, take: 2));
        var page = await Dashboard(user, new(Skip: 1, Take: 2));
        Assert.Equal(4, page.Total);
        Assert.Equal(2, page.Rows.Count);
    }

    [Fact]
    public async Task Dashboard_NewSinceYesterday_IsAFreshLabelOrAChangedOne_NotAnUnchangedOrOldOne()
    {
        var user = await ConsentingTraderAsync("new@test.local");
        var model = await AddModelAsync();
        var now = Clock.GetUtcNow();
        var (fresh, changed, same, old) = (await AddInstrumentAsync("NEW1"), await AddInstrumentAsync("CHG1"), await AddInstrumentAsync("SAME"), await AddInstrumentAsync("OLD1"));
        await AddRecommendationAsync(fresh, model, "BUY", 0.7, at: now.AddHours(-2));                       // first ever: new
        await AddRecommendationAsync(changed, model, "HOLD", 0.5, at: now.AddDays(-2), active: false);
        await AddRecommendationAsync(changed, model, "BUY", 0.6, at: now.AddHours(-3));                     // HOLD → BUY: changed
        await AddRecommendationAsync(same, model, "BUY", 0.5, at: now.AddDays(-5), active: false);
        await AddRecommendationAsync(same, model, "SELL", 0.5, at: now.AddDays(-2), active: false);
        await AddRecommendationAsync(same, model, "SELL", 0.6, at: now.AddHours(-1));                       // SELL → SELL: not new
        await AddRecommendationAsync(old, model, "BUY", 0.8, at: now.AddHours(-25));                        // first ever but 25 h old: not new

        var result = await Dashboard(user, new(SortBy: RecommendationSort.Symbol, Descending: false));
        var marks = result.Rows.ToDictionary(r => r.Symbol, r => r.NewMarker);
        Assert.Equal("New", marks["NEW1"]);
        Assert.Equal("Changed from HOLD", marks["CHG1"]);
        Assert.Null(marks["SAME"]);
        Assert.Null(marks["OLD1"]);
        Assert.Equal(2, result.NewCount);
        Assert.Equal(["NEW1", "CHG1"], result.NewRows.Select(r => r.Symbol));
        Assert.Equal(["CHG1", "NEW1"], (await Dashboard(user, new(NewOnly: true, SortBy: RecommendationSort.Symbol, Descending: false))).Rows.Select(r => r.Symbol));
    }

    [Fact]
    public async Task TrackRecord_HitRatesAveragesAndCalibration_OnAHandWorkedExample()
    {
        var user = await ConsentingTraderAsync("track@test.local");
        var model = await AddModelAsync();
        var other = await AddModelAsync("v2", active: false);
        var a = await AddInstrumentAsync("TRK1");
        var t0 = Clock.GetUtcNow().AddDays(-60);
        // entry 100 each (snapshot close); realised return = actual / 100 − 1.
        async Task Add(string label, double conf, bool? correct, double? actual, string profile = RiskProfiles.Moderate, string regime = "calm-up", long? m = null)
        {
            var at = t0.AddDays(1);
            t0 = at;
            var id = await AddRecommendationAsync(a, m ?? model, label, conf, profile: profile, expected: 2, at: at, active: false, snapshot: Snapshot(close: 100, regime: regime));
            await AddOutcomeAsync(id, correct, 100, actual, 2);
        }
        await Add("BUY", 0.62, true, 104);                                         // bucket 60–70
        await Add("BUY", 0.68, false, 97);                                         // bucket 60–70
        await Add("BUY", 0.75, true, 103, regime: "choppy");                       // bucket 70–80
        await Add("SELL", 0.55, true, 95, profile: RiskProfiles.Aggressive);       // bucket 50–60
        await Add("HOLD", 0.40, false, 110, regime: "choppy");                     // bucket 40–50
        await Add("BUY", 0.90, null, null);                                        // pending: left out
        await Add("BUY", 1.00, true, 101, m: other);                               // 1.0 goes to the top bucket

        var all = await Tracks(s => s.TrackRecordAsync(user));
        Assert.Equal(6, all.Total);
        Assert.Equal(4, all.Hits);
        Assert.Equal((4 - 3 + 3 - 5 + 10 + 1) / 6.0, all.AvgReturnPct!.Value, 9);

        var buy = all.ByLabel.Single(g => g.Key == "BUY");
        Assert.Equal((4, 3), (buy.Count, buy.Hits));
        Assert.Equal(0.75, buy.HitRate, 9);
        Assert.Equal((4 - 3 + 3 + 1) / 4.0, buy.AvgReturnPct!.Value, 9);
        Assert.Equal(["BUY", "HOLD", "SELL"], all.ByLabel.Select(g => g.Key));
        Assert.Equal(-5, all.ByLabel.Single(g => g.Key == "SELL").AvgReturnPct!.Value, 9);
        // Following the calls: BUYs earn +4, −3, +3, +1; the SELL earns +5 (the price fell 5 %); the HOLD is no trade.
        Assert.Equal((4 - 3 + 3 + 1 + 5) / 5.0, all.AvgCallReturnPct!.Value, 9);
        Assert.Equal(5, all.ByLabel.Single(g => g.Key == "SELL").AvgCallReturnPct!.Value, 9);
        Assert.Null(all.ByLabel.Single(g => g.Key == "HOLD").AvgCallReturnPct);
        Assert.Equal((4 - 3 + 3 + 1) / 4.0, all.ByProfile.Single(g => g.Key == "moderate").AvgCallReturnPct!.Value, 9);

        Assert.Equal([("moderate", 5, 3), ("aggressive", 1, 1)], all.ByProfile.Select(g => (g.Key, g.Count, g.Hits)));
        Assert.Equal([("calm-up", 4, 3), ("choppy", 2, 1)], all.ByRegime.Select(g => (g.Key, g.Count, g.Hits)));
        Assert.Equal(["40–50 %", "50–60 %", "60–70 %", "70–80 %", "90–100 %"], all.ByConfidence.Select(g => g.Key));

        var cal = all.Calibration;
        Assert.Equal([0.4, 0.5, 0.6, 0.7, 0.9], cal.Select(c => c.Lower));
        Assert.Equal([1, 1, 2, 1, 1], cal.Select(c => c.Count));
        Assert.Equal(0.65, cal[2].MeanConfidence, 9);
        Assert.Equal(0.5, cal[2].HitRate, 9);
        Assert.Equal(0.0, cal[0].HitRate, 9);

        var moderateV1 = await Tracks(s => s.TrackRecordAsync(user, RiskProfiles.Moderate, model));
        Assert.Equal((4, 2), (moderateV1.Total, moderateV1.Hits));
        var none = await Tracks(s => s.TrackRecordAsync(user, RiskProfiles.Conservative));
        Assert.Equal(0, none.Total);
        Assert.Null(none.AvgReturnPct);
        Assert.Empty(none.ByLabel);
    }

    [Fact]
    public void FeaturePercentile_IsTheMidRankAgainstHistory_IgnoringMissingValues()
    {
        Assert.Equal(60, FeaturePercentiles.Of([10, 20, 30, 40, 50], 35));
        Assert.Equal(50, FeaturePercentiles.Of([10, 20, 30, 40, 50], 30)); // (2 below + ½ equal) / 5
        Assert.Equal(100, FeaturePercentiles.Of([10, double.NaN, 20], 25));
        Assert.Equal(0, FeaturePercentiles.Of([10, 20], 5));
        Assert.Null(FeaturePercentiles.Of([double.NaN], 5));
        Assert.Null(FeaturePercentiles.Of([1, 2], double.NaN));
    }

    [Fact]
    public async Task Detail_ComputesPercentilesAgainstTheHistoryUpToAsOf_AndListsPastSignalsWithOutcomes()
    {
        var user = await ConsentingTraderAsync("detail@test.local");
        var model = await AddModelAsync();
        var id = await AddInstrumentAsync("DTL1");
        var day0 = new DateTimeOffset(2026, 11, 9, 21, 0, 0, TimeSpan.Zero);
        // Six daily bars at close 100: rsi 10..50 then 0; atr 1..5 then 9. The snapshot is as of the fifth bar, so the sixth is not history.
        double[] rsi = [10, 20, 30, 40, 50, 0], atr = [1, 2, 3, 4, 5, 9];
        await using (var db = await DbAsync())
        {
            for (var i = 0; i < rsi.Length; i++)
            {
                var ts = day0.AddDays(i);
                db.PriceBars.Add(new PriceBar { InstrumentId = id, Interval = Intervals.OneDay, Ts = ts, Open = 100, High = 101, Low = 99, Close = 100, Volume = 1000, Source = "test" });
                db.Features.Add(new FeatureRow { InstrumentId = id, Interval = Intervals.OneDay, Ts = ts, Rsi14 = rsi[i], Atr14 = atr[i], FeatureVersion = FeatureCalculator.Version, StateId = 0 });
            }
            await db.SaveChangesAsync();
        }
        var snapshot = Snapshot(close: 100, asOf: day0.AddDays(4), features: new Dictionary<string, double?>
        {
            ["rsi_14"] = 35, ["atr_14"] = 0.03, ["state_id"] = 0, ["macd"] = null,
        }, drivers: [new SnapshotDriver("atr_14", 0.03, 50, 0.04), new SnapshotDriver("rsi_14", 35, 60, -0.01)]);

        var past1 = await AddRecommendationAsync(id, model, "SELL", 0.5, expected: -2, at: day0.AddDays(-20), active: false, snapshot: Snapshot(close: 100));
        await AddOutcomeAsync(past1, true, 100, 96, -2);
        var past2 = await AddRecommendationAsync(id, model, "BUY", 0.6, expected: 3, at: day0.AddDays(-10), active: false, snapshot: Snapshot(close: 100));
        await AddOutcomeAsync(past2, false, 100, 99, 3);
        var current = await AddRecommendationAsync(id, model, "BUY", 0.7, expected: 1.8, at: day0.AddDays(4).AddHours(2), snapshot: snapshot);
        await AddOutcomeAsync(current, null, 100, null, 1.8);
        await AddRecommendationAsync(id, model, "SELL", 0.9, profile: RiskProfiles.Aggressive); // other profile: not in this history

        var detail = await Details(s => s.DetailAsync(user, current));
        Assert.NotNull(detail);
        Assert.Equal(("DTL1", "BUY", 100.0), (detail.Instrument.Symbol, detail.Label, detail.Entry!.Value));
        Assert.Equal(["atr_14", "rsi_14", "macd", "state_id"], detail.Features.Select(f => f.Feature)); // drivers first, then by name

        var atrRow = detail.Features[0];
        Assert.Equal(50, atrRow.Percentile!.Value, 9); // 0.03 among 0.01…0.05 (atr / close): 2 below, 1 equal
        Assert.Equal((5, 1, 0.04), (atrRow.HistoryCount, atrRow.DriverRank!.Value, atrRow.Effect!.Value));
        Assert.Equal(60, detail.Features[1].Percentile!.Value, 9); // 35 among 10…50: 3 below of 5; the later 0 is not counted
        Assert.Null(detail.Features[2].Percentile);  // no value
        Assert.Null(detail.Features[3].Percentile);  // a category

        Assert.Equal([current, past2, past1], detail.History.Select(h => h.Id));
        Assert.Equal(["Pending", "Wrong", "Right"], detail.History.Select(h => h.Outcome));
        Assert.Equal(-1, detail.History[1].RealisedReturnPct!.Value, 9);
        Assert.Equal(-4, detail.History[2].RealisedReturnPct!.Value, 9);
        Assert.Null(detail.History[0].RealisedReturnPct);
        Assert.Equal(6, detail.Candles.Count); // every bar, before and after
        Assert.Null(await Details(s => s.DetailAsync(user, 987654)));
    }

    private RecommendationDashboardCache Cache => Services.GetRequiredService<RecommendationDashboardCache>();

    [Fact]
    public async Task DashboardCache_ServesARepeatedQueryWithoutLoading_PerQuery_AndStillChecksEachUsersConsent()
    {
        var (user, _) = await SeedDashboardAsync();
        var first = await Dashboard(user, new(Exchange: "NYSE"));
        Assert.Equal(1, Cache.Loads);
        var again = await Dashboard(user, new(Exchange: " NYSE ".Trim(), Label: "  ")); // a blank filter is no filter: the same query
        Assert.Same(first, again);
        Assert.Equal(1, Cache.Loads);
        Assert.Equal(["BBB", "DDD"], (await Dashboard(user, new(Exchange: "NYSE", SortBy: RecommendationSort.Symbol, Descending: false))).Rows.Select(r => r.Symbol));
        Assert.Equal(2, Cache.Loads); // another order is another query

        // Twenty callers at once after nothing was cached share one load.
        var other = await ConsentingTraderAsync("dash2@test.local");
        var together = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Dashboard(i % 2 == 0 ? user : other, new(Sector: "Energy"))));
        Assert.Equal(3, Cache.Loads);
        Assert.All(together, r => Assert.Same(together[0], r));

        // The entry is there, but a user who has not accepted the disclosure still gets nothing from it.
        var refuser = await CreateUserAsync("refuser@test.local");
        await Assert.ThrowsAsync<RiskConsentRequiredException>(() => Dashboard(refuser.Id, new(Exchange: "NYSE")));
    }

    [Fact]
    public async Task DashboardCache_ACommittedChangeFromAnyConnection_IsShownOnTheNextLoad()
    {
        var (user, ids) = await SeedDashboardAsync();
        Assert.Equal(4, (await Dashboard(user, new())).Total);

        // A writer outside this process (another node, an admin's SQL): only the database's trigger can tell this one.
        await using (var conn = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using (var deactivate = new Npgsql.NpgsqlCommand($"UPDATE recommendations SET is_active = false WHERE id = {ids["CCC"]}", conn, tx))
                await deactivate.ExecuteNonQueryAsync();
            // Not committed yet: no event, and the cached result stays what the database shows to others.
            await Task.Delay(300);
            Assert.Equal(4, (await Dashboard(user, new())).Total);
            await tx.CommitAsync();
        }
        await WaitForAsync(async () => (await Dashboard(user, new())).Total == 3, "the dashboard to drop the deactivated row");
        Assert.DoesNotContain("CCC", (await Dashboard(user, new())).Rows.Select(r => r.Symbol));

        // Instruments and models are shown too: renaming a symbol reaches the cached rows.
        await using (var db = await DbAsync())
            await db.Instruments.Where(i => i.Symbol == "AAA").ExecuteUpdateAsync(u => u.SetProperty(i => i.Name, "Renamed Inc"));
        await WaitForAsync(async () => (await Dashboard(user, new())).Rows.Single(r => r.Symbol == "AAA").Name == "Renamed Inc", "the new instrument name");
    }

    [Fact]
    public async Task DashboardCache_AnEntryLivesAMinuteByTheAppsClock_AndNeverAcrossAClockMovedBack()
    {
        var (user, _) = await SeedDashboardAsync();
        await Dashboard(user, new());
        Clock.Advance(RecommendationDashboardCache.Lifetime - TimeSpan.FromSeconds(1));
        await Dashboard(user, new());
        Assert.Equal(1, Cache.Loads);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Dashboard(user, new());
        Assert.Equal(2, Cache.Loads); // a minute old: "new since yesterday" is measured afresh
        Clock.Advance(TimeSpan.FromSeconds(-5));
        await Dashboard(user, new());
        Assert.Equal(3, Cache.Loads);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"waited 10 s for {what}");
            await Task.Delay(20);
        }
    }
}
