using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Contexts;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Journal.Trades;
using Signalbook.Features.Users;
using Signalbook.Tests.Features.Recommendations;

namespace Signalbook.Tests.Features.Journal.Trades;

/// <summary>The trades grid query, a campaign's detail, decision contexts with their snapshot and checks, and manual fills with corrections, against the database.</summary>
public sealed class TradesServiceTests : RecommendationsHarness
{
    private static readonly DateTimeOffset T0 = JournalTradesSeed.Start;

    private static IReadOnlyList<string> Symbols(CampaignList page) => page.Rows.Select(r => r.Symbol).ToList();

    [Fact]
    public async Task Grid_FiltersBySymbolStrategyTagSideOutcomeRegimeAndDates_SortsEveryColumn_AndPages()
    {
        var trader = await CreateUserAsync("grid@test.local");
        var other = await CreateUserAsync("other@test.local");
        var aapl = await this.RoundTripAsync(trader.Id, "AAPL", 10, 100, 110, T0);                  // +100, win
        var msft = await this.RoundTripAsync(trader.Id, "MSFT", 5, 200, 190, T0.AddDays(1));        // −50, loss
        await this.FillAsync(trader.Id, "TSLA", FillSide.Sell, 3, 300, T0.AddDays(6));               // open short
        await this.RoundTripAsync(other.Id, "AAPL", 1, 50, 60, T0);                                  // someone else's
        var breakout = await this.AddStrategyAsync(trader.Id, "Breakout");
        await this.ContextAsync(trader.Id, aapl, JournalTradesSeed.Entry(stop: 95, strategy: breakout));
        await this.AddNoteAsync(trader.Id, msft, "Chased it.", "fomo-trade");
        await using (var db = await DbAsync())
        {
            await db.CampaignSummaries.Where(c => c.GroupId == aapl).ExecuteUpdateAsync(u => u.SetProperty(c => c.Regime, "calm-up"));
        }

        var all = await this.QueryAsync(trader.Id, new CampaignQuery());
        Assert.Equal(3, all.Total);
        Assert.Equal(["TSLA", "MSFT", "AAPL"], Symbols(all)); // newest first by default
        Assert.Equal("Breakout", all.Rows.Single(r => r.Symbol == "AAPL").StrategyName);
        Assert.Equal(CampaignOutcomes.Open, all.Rows.Single(r => r.Symbol == "TSLA").Outcome);
        Assert.Null(all.Rows.Single(r => r.Symbol == "TSLA").HoldingTime);
        Assert.Equal(TimeSpan.FromDays(1), all.Rows.Single(r => r.Symbol == "AAPL").HoldingTime);

        Assert.Equal(["AAPL"], Symbols(await this.QueryAsync(trader.Id, new CampaignQuery { Symbol = " aapl " })));
        Assert.Equal(["AAPL"], Symbols(await this.QueryAsync(trader.Id, new CampaignQuery { StrategyId = breakout })));
        Assert.Equal(["MSFT"], Symbols(await this.QueryAsync(trader.Id, new CampaignQuery { Tag = "fomo-trade" })));
        Assert.Empty((await this.QueryAsync(trader.Id, new CampaignQuery { Tag = "fomo" })).Rows);
        Assert.Equal(["TSLA"], Symbols(await this.QueryAsync(trader.Id, new CampaignQuery { Direction = "short" })));
        Assert.Equal(["AAPL"], Symbols(await this.QueryAsync(trader.Id, new CampaignQuery { Outcome = CampaignOutcomes.Win })));
        Assert.Equal(["MSFT"], Symbols(await this.QueryAsync(trader.Id, new CampaignQuery { Outcome = CampaignOutcomes.Loss })));
        Assert.Equal(["TSLA"], Symbols(await this.QueryAsync(trader.Id, new CampaignQuery { Outcome = CampaignOutcomes.Open })));
        Assert.Equal(["AAPL"], Symbols(await this.QueryAsync(trader.Id, new CampaignQuery { Regime = "calm-up" })));
        var day2 = DateOnly.FromDateTime(T0.AddDays(1).UtcDateTime);
        Assert.Equal(["MSFT"], Symbols(await this.QueryAsync(trader.Id, new CampaignQuery { From = day2, To = day2 })));
        Assert.Equal(["TSLA", "MSFT"], Symbols(await this.QueryAsync(trader.Id, new CampaignQuery { From = day2 })));

        var byPnl = await this.QueryAsync(trader.Id, new CampaignQuery { SortBy = nameof(CampaignRow.RealisedPnl), Descending = false });
        Assert.Equal(["MSFT", "TSLA", "AAPL"], Symbols(byPnl));
        var page2 = await this.QueryAsync(trader.Id, new CampaignQuery { SortBy = nameof(CampaignRow.Symbol), Descending = false, Skip = 1, Take = 1 });
        Assert.Equal(3, page2.Total);
        Assert.Equal(["MSFT"], Symbols(page2));
        foreach (var column in typeof(CampaignRow).GetProperties().Select(p => p.Name))
        {
            foreach (var descending in new[] { false, true })
            {
                var sorted = await this.QueryAsync(trader.Id, new CampaignQuery { SortBy = column, Descending = descending });
                Assert.Equal(3, sorted.Rows.Count);
            }
        }

        var theirs = await this.QueryAsync(other.Id, new CampaignQuery());
        Assert.Equal(["AAPL"], Symbols(theirs));
        Assert.Equal(10m, theirs.Rows[0].RealisedPnl);
    }

    [Fact]
    public async Task Detail_HasLegsInOrder_BarsAroundTheHolding_ContextsWithChecks_AndOnlyTheCallersNotes()
    {
        var trader = await CreateUserAsync("detail@test.local");
        var other = await CreateUserAsync("snoop@test.local");
        var instrument = await this.AddInstrumentWithBarsAsync("AAPL", 102);
        var open = await this.FillAsync(trader.Id, "AAPL", FillSide.Buy, 10, 100, T0);
        await this.FillAsync(trader.Id, "AAPL", FillSide.Buy, 5, 104, T0.AddDays(1));
        await this.FillAsync(trader.Id, "AAPL", FillSide.Sell, 15, 110, T0.AddDays(4));
        await this.ContextAsync(trader.Id, open.FillId, JournalTradesSeed.Entry(stop: 95, target: 120));
        await this.AddNoteAsync(trader.Id, open.FillId, "Patient entry.", "a-plus");
        await this.AddNoteAsync(other.Id, open.FillId, "Not yours.");

        var d = await this.DetailAsync(trader.Id, open.FillId);
        Assert.Equal("AAPL", d.Summary.Symbol);
        Assert.Equal("long", d.Summary.Direction);
        Assert.Equal([10m, 5m, 15m], d.Legs.Select(l => l.Quantity));
        Assert.Equal([FillSide.Buy, FillSide.Buy, FillSide.Sell], d.Legs.Select(l => l.Side));
        Assert.All(d.Legs, l => Assert.Equal(FillSource.Manual, l.Source));
        Assert.Equal(instrument, d.InstrumentId);
        Assert.NotEmpty(d.Bars);
        Assert.True(d.Bars[0].Ts <= T0.AddDays(-CampaignQueryService.ChartPaddingDays + 1));
        Assert.True(d.Bars[^1].Ts >= T0.AddDays(4));
        Assert.True(d.Bars.Zip(d.Bars.Skip(1)).All(p => p.First.Ts < p.Second.Ts));
        var context = Assert.Single(d.Contexts);
        Assert.Equal(open.FillId, context.FillId);
        Assert.Equal(95m, context.ExitIntent?.Stop);
        Assert.Equal(95m, d.Stop);
        Assert.Equal([Emotions.Calm], context.FeelingsThen?.Emotions);
        Assert.NotEmpty(context.Checks);
        Assert.True(Assert.Single(d.Legs, l => l.FillId == open.FillId).HasContext);
        var note = Assert.Single(d.Notes);
        Assert.Equal("Patient entry.", note.Content);
        Assert.Equal(["a-plus"], note.Tags);
        Assert.NotNull(CampaignChart.Build(d));
    }

    [Fact]
    public async Task ContextUpsert_StoresTheSnapshotThenAndChecks_SetsRFromTheStop_AndAnEditKeepsTheSnapshot()
    {
        var trader = await CreateUserAsync("context@test.local");
        var instrument = await this.AddInstrumentWithBarsAsync("AAPL");
        var model = await AddModelAsync();
        await AddRecommendationAsync(instrument, model, "BUY", 0.72, at: T0.AddHours(-20), active: false);
        await AddRecommendationAsync(instrument, model, "SELL", 0.9, at: T0.AddHours(2)); // after the fill: never in its snapshot
        var group = await this.RoundTripAsync(trader.Id, "AAPL", 10, 100, 110, T0);
        Assert.Null((await this.DetailAsync(trader.Id, group)).Summary.RMultiple); // no stop, no account balance: no R

        var saved = await this.ContextAsync(trader.Id, group, JournalTradesSeed.Entry(stop: 95, target: 120));
        Assert.True(saved.Created);
        Assert.Contains(saved.Checks, c => c.CheckType == NudgeRuleCodes.StopLossRequired && c.Passed);
        var d = await this.DetailAsync(trader.Id, group);
        Assert.Equal(2.0, d.Summary.RMultiple!.Value, 6); // +100 over (100 − 95) × 10
        var snap = d.Contexts[0].Snapshot!;
        Assert.Equal("BUY", snap.RecommendationLabel);
        Assert.Equal(0.72, snap.RecommendationConfidence!.Value, 6);
        Assert.Equal(RiskProfiles.Moderate, snap.RecommendationProfile);
        await using var db = await DbAsync();
        var stored = await db.DecisionContexts.AsNoTracking().SingleAsync(c => c.FillId == group);
        Assert.Equal(saved.ContextId, stored.Id);
        Assert.True(await db.CampaignChecks.AnyAsync(c => c.DecisionContextId == stored.Id && c.CheckPhase == CheckPhases.AtEntry));

        Clock.Advance(TimeSpan.FromHours(3));
        var edited = await this.ContextAsync(trader.Id, group, JournalTradesSeed.Entry(stop: 90));
        Assert.False(edited.Created);
        Assert.Equal(saved.ContextId, edited.ContextId);
        Assert.Equal(1.0, (await this.DetailAsync(trader.Id, group)).Summary.RMultiple!.Value, 6); // +100 over (100 − 90) × 10
        var after = await db.DecisionContexts.AsNoTracking().SingleAsync(c => c.FillId == group);
        Assert.Equal(stored.Snapshot, after.Snapshot);
        Assert.Equal(1, await db.DecisionContexts.CountAsync(c => c.FillId == group));
    }

    [Fact]
    public async Task ContextUpsert_RefusesAStopOnTheWinningSide_BadIntensityUnknownEmotionAndSomeoneElsesStrategy_NamingTheField()
    {
        var trader = await CreateUserAsync("valid@test.local");
        var other = await CreateUserAsync("strat@test.local");
        var theirs = await this.AddStrategyAsync(other.Id, "Theirs");
        var longOpen = await this.RoundTripAsync(trader.Id, "AAPL", 10, 100, 110, T0);
        var shortOpen = await this.RoundTripAsync(trader.Id, "MSFT", 10, 100, 90, T0, shortSide: true);

        async Task<string> FieldOf(long fill, DecisionContextInput input)
            => (await Assert.ThrowsAsync<JournalValidationException>(() => this.ContextAsync(trader.Id, fill, input))).Field;

        Assert.Equal("Stop", await FieldOf(longOpen, JournalTradesSeed.Entry(stop: 101)));
        Assert.Equal("Stop", await FieldOf(shortOpen, JournalTradesSeed.Entry(stop: 99)));
        Assert.Equal("Target", await FieldOf(longOpen, JournalTradesSeed.Entry(stop: 95, target: 99)));
        Assert.Equal("StrategyId", await FieldOf(longOpen, JournalTradesSeed.Entry(strategy: theirs)));
        Assert.Equal("ContextType", await FieldOf(longOpen, JournalTradesSeed.Entry() with { ContextType = "whim" }));
        Assert.Equal("FeelingsThen", await FieldOf(longOpen, JournalTradesSeed.Entry() with { FeelingsThen = new Feelings([Emotions.Calm], 6) }));
        Assert.Equal("FeelingsNow", await FieldOf(longOpen, JournalTradesSeed.Entry() with { FeelingsNow = new Feelings(["elated"], 3) }));
        Assert.Equal("Hypothesis", await FieldOf(longOpen, JournalTradesSeed.Entry() with { Hypothesis = new string('x', DecisionContextService.MaxHypothesis + 1) }));
        // A short's stop above the entry is fine.
        Assert.True((await this.ContextAsync(trader.Id, shortOpen, JournalTradesSeed.Entry(stop: 105, target: 80))).Created);
        await using var db = await DbAsync();
        Assert.Equal(1, await db.DecisionContexts.CountAsync());
    }

    [Fact]
    public async Task ContextBreakingTheRules_StoresFailedStopRequiredAndRevengeTradeNudges_WhichCanBeAcknowledged()
    {
        var trader = await CreateUserAsync("revenge@test.local");
        var start = new DateTimeOffset(2026, 10, 6, 14, 0, 0, TimeSpan.Zero);
        await this.FillAsync(trader.Id, "MSFT", FillSide.Buy, 10, 100, start);
        await this.FillAsync(trader.Id, "MSFT", FillSide.Sell, 10, 90, start.AddMinutes(10));           // a loss closes at 14:10
        var entry = await this.FillAsync(trader.Id, "AAPL", FillSide.Buy, 10, 50, start.AddMinutes(20)); // 10 minutes later, no stop

        var saved = await this.ContextAsync(trader.Id, entry.FillId, JournalTradesSeed.Entry(stop: null));
        var stop = Assert.Single(saved.Failed, c => c.CheckType == NudgeRuleCodes.StopLossRequired);
        Assert.Equal(NudgeSeverities.Critical, stop.Severity);
        Assert.Contains("no stop", stop.NudgeText);
        var revenge = Assert.Single(saved.Failed, c => c.CheckType == NudgeRuleCodes.RevengeTrade);
        Assert.False(revenge.Acknowledged);

        var acknowledged = await WithAsync<DecisionContextService, CheckView>(s => s.AcknowledgeCheckAsync(JournalCaller.Trader(trader.Id), revenge.Id, TraderActions.Proceeded));
        Assert.True(acknowledged.Acknowledged);
        Assert.Equal(TraderActions.Proceeded, acknowledged.TraderAction);
        var bad = await Assert.ThrowsAsync<JournalValidationException>(() =>
            WithAsync<DecisionContextService, CheckView>(s => s.AcknowledgeCheckAsync(JournalCaller.Trader(trader.Id), stop.Id, "ignored")));
        Assert.Equal("TraderAction", bad.Field);

        // Editing the context re-runs the checks; the acknowledgement given stays on the same check.
        var edited = await this.ContextAsync(trader.Id, entry.FillId, JournalTradesSeed.Entry(stop: null) with { Notes = "Knew it." });
        var again = Assert.Single(edited.Checks, c => c.CheckType == NudgeRuleCodes.RevengeTrade);
        Assert.True(again.Acknowledged);
        Assert.Equal(TraderActions.Proceeded, again.TraderAction);

        var d = await this.DetailAsync(trader.Id, entry.FillId);
        Assert.Contains(d.Contexts.Single().Checks, c => c.CheckType == NudgeRuleCodes.StopLossRequired && !c.Passed);
    }

    [Fact]
    public async Task ManualFill_CorrectionKeepsTheOldRow_AddsReversalAndReplacement_TheCampaignReflectsIt_AndCannotBeRepeated()
    {
        var trader = await CreateUserAsync("correct@test.local");
        var caller = JournalCaller.Trader(trader.Id);
        var buy = await this.FillAsync(trader.Id, "AAPL", FillSide.Buy, 10, 100, T0);
        var sell = await this.FillAsync(trader.Id, "AAPL", FillSide.Sell, 10, 110, T0.AddDays(1), fees: 1);
        Assert.Equal(buy.FillId, buy.GroupId);
        Assert.Equal(buy.FillId, sell.GroupId);
        await this.ContextAsync(trader.Id, sell.FillId, new DecisionContextInput(DecisionContextTypes.Exit, Hypothesis: "Target hit."));
        Assert.Equal(99m, (await this.DetailAsync(trader.Id, buy.FillId)).Summary.RealisedPnl);

        var corrected = await WithAsync<ManualFillService, FillCorrected>(s => s.CorrectAsync(caller, sell.FillId,
            new ManualFillInput("AAPL", FillSide.Sell, 10, 120, 1, T0.AddDays(1))));
        Assert.Equal(buy.FillId, corrected.GroupId);

        await using var db = await DbAsync();
        var old = await db.TradeFills.AsNoTracking().SingleAsync(f => f.Id == sell.FillId);
        Assert.Equal(110m, old.Price); // never edited
        var reversal = await db.TradeFills.AsNoTracking().SingleAsync(f => f.Id == corrected.ReversalId);
        Assert.Equal((FillSide.Buy, 10m, 110m, sell.FillId, $"reversal:{sell.FillId}", FillSource.Manual),
            (reversal.Side, reversal.Quantity, reversal.Price, reversal.ReversesFillId!.Value, reversal.ExternalTradeId, reversal.Source));
        var replacement = await db.TradeFills.AsNoTracking().SingleAsync(f => f.Id == corrected.ReplacementId);
        Assert.Equal(sell.FillId, replacement.ReplacesFillId);
        Assert.StartsWith("manual:", replacement.ExternalTradeId);
        Assert.Equal(replacement.Id, (await db.DecisionContexts.AsNoTracking().SingleAsync()).FillId); // the context follows the corrected fill

        var d = await this.DetailAsync(trader.Id, buy.FillId);
        Assert.Equal(199m, d.Summary.RealisedPnl); // (120 − 100) × 10 − 1
        Assert.Equal([buy.FillId, replacement.Id], d.Legs.Select(l => l.FillId));
        Assert.Equal(replacement.Id, Assert.Single(d.Contexts).FillId);

        var twice = await Assert.ThrowsAsync<JournalValidationException>(() => WithAsync<ManualFillService, FillCorrected>(s => s.CorrectAsync(caller, sell.FillId, null)));
        Assert.Contains("already corrected", twice.Message);
        var ofReversal = await Assert.ThrowsAsync<JournalValidationException>(() => WithAsync<ManualFillService, FillCorrected>(s => s.CorrectAsync(caller, reversal.Id, null)));
        Assert.Contains("reversal", ofReversal.Message);

        // Removing the replacement (a correction without new values) leaves the buy open again.
        var removed = await WithAsync<ManualFillService, FillCorrected>(s => s.CorrectAsync(caller, replacement.Id, null));
        Assert.Null(removed.ReplacementId);
        var reopened = await this.DetailAsync(trader.Id, buy.FillId);
        Assert.Null(reopened.Summary.ClosedAt);
        Assert.Equal([buy.FillId], reopened.Legs.Select(l => l.FillId));
        Assert.Equal(5, await db.TradeFills.CountAsync(f => f.UserId == trader.Id));
    }

    [Fact]
    public async Task ManualFill_ValidatesEachFieldByName_AndTakesTheTimeInTheTradersZone()
    {
        var trader = await CreateUserAsync("manual@test.local");
        var caller = JournalCaller.Trader(trader.Id);
        var good = new ManualFillInput("aapl", FillSide.Buy, 1, 100, 0, T0);
        async Task<string> FieldOf(ManualFillInput input)
            => (await Assert.ThrowsAsync<JournalValidationException>(() => WithAsync<ManualFillService, ManualFillAdded>(s => s.AddAsync(caller, input)))).Field;

        Assert.Equal("Symbol", await FieldOf(good with { Symbol = " " }));
        Assert.Equal("Quantity", await FieldOf(good with { Quantity = 0 }));
        Assert.Equal("Price", await FieldOf(good with { Price = -1 }));
        Assert.Equal("Fees", await FieldOf(good with { Fees = -0.5m }));
        Assert.Equal("Currency", await FieldOf(good with { Currency = "$" }));
        Assert.Equal("ExecutedAt", await FieldOf(good with { ExecutedAt = Clock.GetUtcNow().AddDays(1) }));
        Assert.Equal("Option", await FieldOf(good with { AssetType = FillAssetType.Option }));
        Assert.Equal("OptionStrike", await FieldOf(good with { AssetType = FillAssetType.Option, Option = new ManualOptionTerms("AAPL", new DateOnly(2026, 12, 18), 0, OptionRight.Call) }));

        var option = await WithAsync<ManualFillService, ManualFillAdded>(s => s.AddAsync(caller, good with
        {
            Symbol = "AAPL 261218C150", AssetType = FillAssetType.Option, Option = new ManualOptionTerms("aapl", new DateOnly(2026, 12, 18), 150, OptionRight.Call), Multiplier = 100,
        }));
        await using var db = await DbAsync();
        var stored = await db.TradeFills.AsNoTracking().SingleAsync(f => f.Id == option.FillId);
        Assert.Equal((FillSource.Manual, "AAPL", 150m, OptionRight.Call, 100m), (stored.Source, stored.OptionUnderlying, stored.OptionStrike!.Value, stored.OptionRight!.Value, stored.Multiplier));
        Assert.StartsWith("manual:", stored.ExternalTradeId);

        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        Assert.Equal(new DateTimeOffset(2026, 10, 1, 13, 30, 0, TimeSpan.Zero), ManualFillService.FromLocal(new DateTime(2026, 10, 1, 9, 30, 0), newYork));
        await WithAsync<UserSettingsService, TradingProfile>(s => s.UpdateTradingProfileAsync(trader.Id, p => p with { TimeZone = "America/New_York" }));
        Assert.Equal("America/New_York", (await WithAsync<ManualFillService, TimeZoneInfo>(s => s.TimeZoneAsync(caller))).Id);
    }
}
