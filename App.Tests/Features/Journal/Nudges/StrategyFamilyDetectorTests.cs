using Signalbook.Features.Journal.Nudges;

namespace Signalbook.Tests.Features.Journal.Nudges;

/// <summary>Families from the kind of text traders write into a strategy form.</summary>
public sealed class StrategyFamilyDetectorTests
{
    [Fact]
    public void Detect_MovingAverageCrossWithHigherHighs_IsTrend()
        => Assert.Equal(StrategyFamilies.Trend, StrategyFamilyDetector.Detect(
            "Golden Cross Swing",
            "Ride established uptrends in liquid large caps.",
            "Buy when the 50-day SMA crosses above the 200-day SMA and price is making higher highs and higher lows.",
            "Exit on a daily close below the 50-day moving average, or a 2 ATR trailing stop."));

    [Fact]
    public void Detect_DonchianRangeHigh_IsBreakout()
        => Assert.Equal(StrategyFamilies.Breakout, StrategyFamilyDetector.Detect(
            "Donchian 20 Breakout",
            null,
            "Buy when price closes above the 20-day range high (Donchian channel) on at least 1.5x average volume.",
            "Stop under the breakout bar's low; trail with the 10-day low."));

    [Fact]
    public void Detect_RsiOversoldDip_IsMeanReversion()
        => Assert.Equal(StrategyFamilies.MeanReversion, StrategyFamilyDetector.Detect(
            "RSI-2 Dip Buyer",
            "Short-term mean reversion in large caps above their 200-day average.",
            "RSI(2) below 10 while price is above the 200-day SMA; buy at the close.",
            "Sell when price closes above the 5-day moving average, or after 5 days."));

    [Fact]
    public void Detect_BollingerBandTouch_IsMeanReversion()
        => Assert.Equal(StrategyFamilies.MeanReversion, StrategyFamilyDetector.Detect(
            "Band Fade",
            null,
            "Enter long on a close below the lower Bollinger Band; the Relative Strength Index is under 30 (oversold).",
            "Exit at the middle band."));

    [Fact]
    public void Detect_RateOfChangeRanking_IsMomentum()
        => Assert.Equal(StrategyFamilies.Momentum, StrategyFamilyDetector.Detect(
            "12-1 Momentum Leaders",
            "Hold the strongest stocks by relative strength.",
            "Rank the universe by 12-month return skipping the last month; buy the top decile when the rate of change is positive.",
            "Rebalance monthly; sell names that drop out of the top 20%."));

    [Fact]
    public void Detect_KeltnerSqueeze_IsVolatility()
        => Assert.Equal(StrategyFamilies.Volatility, StrategyFamilyDetector.Detect(
            "TTM Squeeze",
            "Trade the expansion after volatility contracts.",
            "Bollinger Bands move inside the Keltner Channels; enter when the squeeze fires and ATR starts rising.",
            "2 ATR stop, exit after the third red histogram bar."));

    [Fact]
    public void Detect_ATROnlyInTheExit_DoesNotOutweighTheEntryIdea()
    {
        // Trend: "pullback" and "trend" in the entry (2 each) → 4; volatility: "ATR" and "volatility" in the exit → 2.
        var scores = StrategyFamilyDetector.Score(null, null, "Buy the first pullback in a strong trend.", "Stop at 1.5 ATR; exit when volatility doubles.");
        Assert.Equal(4, scores[StrategyFamilies.Trend]);
        Assert.Equal(2, scores[StrategyFamilies.Volatility]);
        Assert.Equal(StrategyFamilies.Trend,
            StrategyFamilyDetector.Detect(null, null, "Buy the first pullback in a strong trend.", "Stop at 1.5 ATR; exit when volatility doubles."));
    }

    [Fact]
    public void Detect_ATie_GoesToTheMoreSpecificFamily()
    {
        // "Trend" and "Breakout" in the name score 2 each: breakout is more specific.
        Assert.Equal(StrategyFamilies.Breakout, StrategyFamilyDetector.Detect("Trend Breakout", null, null, null));
        Assert.Equal(StrategyFamilies.MeanReversion, StrategyFamilyDetector.Detect("Momentum Fade", null, null, null));
    }

    [Fact]
    public void Detect_NoCues_IsNull()
    {
        Assert.Null(StrategyFamilyDetector.Detect("My plan", "Buy good companies.", "When the story is strong.", "When the story changes."));
        Assert.Null(StrategyFamilyDetector.Detect(null, null, null, null));
    }

    [Fact]
    public void Detect_WordsInsideOtherWords_DoNotCount()
        // "atr" in "theatre", "roc" in "process", "vix" in "vixen" are not cues.
        => Assert.Null(StrategyFamilyDetector.Detect("Theatre stocks", "A process for vixen-themed retailers.", null, null));
}
