using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;

namespace Signalbook.Tests.Features.Journal.Campaigns;

/// <summary>MAE/MFE on daily bars and R multiples, worked by hand.</summary>
public sealed class ExcursionsTests
{
    private static readonly DateTimeOffset Day0 = new(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    private static LedgerFill At(long id, FillSide side, decimal quantity, decimal price, int day, int hour, decimal multiplier = 1m, string symbol = "AAPL") =>
        new(id, symbol, multiplier == 1m ? FillAssetType.Equity : FillAssetType.Option, side, quantity, price, 0m, Day0.AddDays(day).AddHours(hour), multiplier);

    private static ExcursionBar Bar(int day, decimal high, decimal low) => new(Day0.AddDays(day), high, low);

    [Fact]
    public void Compute_Long_WorstLowAndBestHighWhileHeld_BarsOutsideIgnored()
    {
        var c = Assert.Single(CampaignBuilder.Build([At(1, FillSide.Buy, 100, 10, 0, 10), At(2, FillSide.Sell, 100, 12, 2, 15)]));
        // Day −1 and day 3 lie outside; day 0 low 9 → (9−10)·100 = −100; day 2 high 13 → +300.
        var r = Excursions.Compute(c, [Bar(-1, 20, 1), Bar(0, 10.5m, 9), Bar(1, 11, 9.5m), Bar(2, 13, 11.5m), Bar(3, 30, 5)], OneDay);
        Assert.Equal((-100m, 300m, -1m, 3m, 3), (r.Mae, r.Mfe, r.MaePerUnit, r.MfePerUnit, r.BarsUsed));
        Assert.Equal((Day0, Day0.AddDays(2)), (r.MaeAt!.Value, r.MfeAt!.Value));
    }

    [Fact]
    public void Compute_LongScaleIn_BarWithAFillCountsBeforeAndAfterIt()
    {
        var c = Assert.Single(CampaignBuilder.Build([At(1, FillSide.Buy, 100, 10, 0, 10), At(2, FillSide.Buy, 100, 8, 1, 10), At(3, FillSide.Sell, 200, 9.5m, 2, 10)]));
        // Day 1 low 7: before the add (100 @ 10) −300, after it (200 @ 9) −400 → MAE −400; per unit the worst is −3 (before).
        // Day 2 high 9.5 against 200 @ 9 → +100; per unit +0.5.
        var r = Excursions.Compute(c, [Bar(0, 10, 9.5m), Bar(1, 9, 7), Bar(2, 9.5m, 8.5m)], OneDay);
        Assert.Equal((-400m, 100m, -3m, 0.5m), (r.Mae, r.Mfe, r.MaePerUnit, r.MfePerUnit));
    }

    [Fact]
    public void Compute_Short_HighIsAdverseLowIsFavourable()
    {
        var c = Assert.Single(CampaignBuilder.Build([At(1, FillSide.Sell, 10, 100, 0, 14), At(2, FillSide.Buy, 10, 90, 1, 14)]));
        // Day 0 high 104: (104−100)·10 against a short = −40; day 1 low 88: +120.
        var r = Excursions.Compute(c, [Bar(0, 104, 97), Bar(1, 101, 88)], OneDay);
        Assert.Equal((-40m, 120m, -4m, 12m), (r.Mae, r.Mfe, r.MaePerUnit, r.MfePerUnit));
    }

    [Fact]
    public void Compute_OptionShort_MoneyTimesMultiplier()
    {
        var c = Assert.Single(CampaignBuilder.Build([At(1, FillSide.Sell, 2, 3.0m, 0, 14, 100), At(2, FillSide.Buy, 2, 2.0m, 1, 14, 100)]));
        // High 3.5: −0.5 · 2 · 100 = −100; low 1.8: +1.2 · 2 · 100 = +240.
        var r = Excursions.Compute(c, [Bar(0, 3.5m, 2.9m), Bar(1, 2.6m, 1.8m)], OneDay);
        Assert.Equal((-100m, 240m), (r.Mae, r.Mfe));
    }

    [Fact]
    public void Compute_NoOverlappingBars_ZeroExcursions()
    {
        var c = Assert.Single(CampaignBuilder.Build([At(1, FillSide.Buy, 1, 10, 5, 10), At(2, FillSide.Sell, 1, 11, 6, 10)]));
        var r = Excursions.Compute(c, [Bar(0, 20, 1)], OneDay);
        Assert.Equal((0m, 0m, 0), (r.Mae, r.Mfe, r.BarsUsed));
        Assert.Null(r.MaeAt);
    }

    [Fact]
    public void RMultiple_LongWithStop_RiskFromStopDistanceTimesInitialSize()
    {
        // Buy 100 @ 10, add 100 @ 12 (avg 11), sell 200 @ 13: +300 + 100 = 400. Stop 10: |11 − 10| · 100 (first leg) = 100 → 4 R.
        var c = Assert.Single(CampaignBuilder.Build([At(1, FillSide.Buy, 100, 10, 0, 10), At(2, FillSide.Buy, 100, 12, 0, 11), At(3, FillSide.Sell, 200, 13, 1, 10)]));
        Assert.Equal(100m, RMultiple.Risk(c, 10m, null));
        Assert.Equal(4m, RMultiple.Compute(c, 10m, null));
    }

    [Fact]
    public void RMultiple_ShortWithStop_AndWithoutStopFromRiskProfile()
    {
        // Short 10 @ 100 covered @ 90: +100. Stop 105: 5 · 10 = 50 → 2 R. No stop: 1 % of 5 000 = 50 → 2 R.
        var c = Assert.Single(CampaignBuilder.Build([At(1, FillSide.Sell, 10, 100, 0, 14), At(2, FillSide.Buy, 10, 90, 1, 14)]));
        Assert.Equal(2m, RMultiple.Compute(c, 105m, null));
        Assert.Equal(2m, RMultiple.Compute(c, null, new RiskProfile(5000m, 1m)));
        Assert.Equal(2m, RMultiple.Compute(c, 105m, new RiskProfile(1m, 1m))); // the stop wins
    }

    [Fact]
    public void RMultiple_UnknownOrZeroRisk_Null()
    {
        var c = Assert.Single(CampaignBuilder.Build([At(1, FillSide.Buy, 10, 100, 0, 14), At(2, FillSide.Sell, 10, 90, 1, 14)]));
        Assert.Null(RMultiple.Compute(c, null, null));
        Assert.Null(RMultiple.Compute(c, 100m, null));
        Assert.Null(RMultiple.Compute(c, null, new RiskProfile(0m, 1m)));
        Assert.Equal(-1m, RMultiple.Compute(c, 90m, null)); // −100 ÷ (10 · 10)
    }
}
