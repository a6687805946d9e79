using Signalbook.Features.Indicators;
using Signalbook.Features.Models;

namespace Signalbook.Tests.Features.Models;

public class DatasetBuilderTests
{
    internal static (DateTimeOffset[] Ts, BarSeries Bars) RandomWalk(int n, int seed)
    {
        var rng = new Random(seed);
        var close = new double[n];
        var open = new double[n];
        var high = new double[n];
        var low = new double[n];
        var volume = new double[n];
        var price = 100.0;
        for (var i = 0; i < n; i++)
        {
            open[i] = price;
            price *= Math.Exp(0.02 * (rng.NextDouble() - 0.5));
            close[i] = price;
            high[i] = Math.Max(open[i], close[i]) * (1 + 0.005 * rng.NextDouble());
            low[i] = Math.Min(open[i], close[i]) * (1 - 0.005 * rng.NextDouble());
            volume[i] = 1e6 * (0.5 + rng.NextDouble());
        }
        var start = new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero);
        return (Enumerable.Range(0, n).Select(i => start.AddDays(i)).ToArray(), new BarSeries(open, high, low, close, volume));
    }

    private static InstrumentFeatures Instrument(long id, DateTimeOffset[] ts, BarSeries bars) =>
        InstrumentFeatures.FromColumns(id, ts, bars.Close, FeatureCalculator.Compute(bars));

    private static BarSeries Truncate(BarSeries b, int length) =>
        new(b.Open[..length], b.High[..length], b.Low[..length], b.Close[..length], b.Volume[..length]);

    [Fact]
    public void Build_LabelIsTheForwardReturnOverHBars_AndRowsPastTheDataHaveNone()
    {
        var (ts, bars) = RandomWalk(400, 1);
        var data = DatasetBuilder.Build([Instrument(7, ts, bars)],
            new DatasetOptions { Horizon = 5, ThresholdMode = ThresholdMode.Fixed, FixedThreshold = 0.01 });
        Assert.Equal(400 - 5, data.Count);
        Assert.Equal(ts[400 - 6], data.Ts[^1]);
        for (var i = 0; i < data.Count; i++)
        {
            var t = Array.IndexOf(ts, data.Ts[i]);
            Assert.Equal(bars.Close[t + 5] / bars.Close[t] - 1, data.ForwardReturn[i], 14);
            Assert.Equal(ts[t + 5], data.LabelEnd[i]);
            var r = data.ForwardReturn[i];
            Assert.Equal(r > 0.01 ? Verdict.Buy : r < -0.01 ? Verdict.Sell : Verdict.Hold, (Verdict)data.Label[i]);
            Assert.Equal(7, data.InstrumentIds[i]);
        }
        Assert.Contains(data.Label, l => l == (int)Verdict.Buy);
        Assert.Contains(data.Label, l => l == (int)Verdict.Sell);
        Assert.Contains(data.Label, l => l == (int)Verdict.Hold);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    public void Build_NoLookAhead_RowsFromATruncatedHistoryMatchTheFullHistory(int horizon)
    {
        // If a feature at t read any bar after t, or a label read a bar after t+H, cutting the history at T would
        // change some row that both datasets contain. Every row (labelled or not) of the cut history must equal the
        // same row of the full history.
        var (ts, bars) = RandomWalk(420, 2);
        var options = new DatasetOptions { Horizon = horizon };
        var full = DatasetBuilder.Build([Instrument(1, ts, bars)], options);
        var fullIndex = full.Ts.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        foreach (var cut in new[] { 300, 333, 380 })
        {
            var cutTs = ts[..cut];
            var cutBars = Truncate(bars, cut);
            var labelled = DatasetBuilder.Build([Instrument(1, cutTs, cutBars)], options);
            var unlabelled = DatasetBuilder.BuildUnlabelled([Instrument(1, cutTs, cutBars)], options);
            Assert.Equal(horizon, unlabelled.Count);
            Assert.All(unlabelled.Label, l => Assert.Equal(-1, l));
            Assert.True(labelled.Ts.All(t => t < ts[cut - horizon]));
            foreach (var (part, withLabel) in new[] { (labelled, true), (unlabelled, false) })
                for (var i = 0; i < part.Count; i++)
                {
                    if (!fullIndex.TryGetValue(part.Ts[i], out var j)) continue; // vol-threshold rows may be absent from both
                    Assert.Equal(full.X.Row(j).ToArray(), part.X.Row(i).ToArray());
                    if (!withLabel) continue;
                    Assert.Equal(full.ForwardReturn[j], part.ForwardReturn[i]);
                    Assert.Equal(full.Label[j], part.Label[i]);
                    Assert.Equal(full.LabelEnd[j], part.LabelEnd[i]);
                }
        }
    }

    [Fact]
    public void Build_VolatilityThreshold_IsKSigmaOfAnHDayReturn()
    {
        var (ts, bars) = RandomWalk(300, 3);
        var instrument = Instrument(1, ts, bars);
        var data = DatasetBuilder.Build([instrument], new DatasetOptions { Horizon = 20, VolatilityMultiple = 0.5 });
        var vol = instrument.Columns["vol_20d"];
        Assert.Equal(300 - 20 - 20, data.Count); // vol_20d needs 20 returns (bars 0..19 have none)
        for (var i = 0; i < data.Count; i++)
        {
            var t = Array.IndexOf(ts, data.Ts[i]);
            Assert.Equal(0.5 * vol[t] * Math.Sqrt(20 / 252.0), data.Threshold[i], 14);
            Assert.Equal(DatasetBuilder.Label(data.ForwardReturn[i], data.Threshold[i]), data.Label[i]);
        }
    }

    [Fact]
    public void Build_MissingPolicy_KeepsOrDropsWarmUpRows()
    {
        var (ts, bars) = RandomWalk(400, 4);
        var instrument = Instrument(1, ts, bars);
        var keep = DatasetBuilder.Build([instrument], new DatasetOptions { ThresholdMode = ThresholdMode.Fixed });
        var drop = DatasetBuilder.Build([instrument], new DatasetOptions { ThresholdMode = ThresholdMode.Fixed, Missing = MissingPolicy.DropRow,
            Features = DatasetBuilder.DefaultFeatures.Where(f => f != InstrumentFeatures.StateIdName).ToList() });
        Assert.Contains(keep.X.Values, double.IsNaN);
        Assert.DoesNotContain(drop.X.Values, double.IsNaN);
        // sma_200 and dist_52w_high need 200 / 252 bars: the first labelled complete row is bar 251.
        Assert.Equal(ts[251], drop.Ts[0]);
        Assert.Equal(400 - 5 - 251, drop.Count);
    }

    [Fact]
    public void Build_ScaleFree_ExpressesPriceLevelsRelativeToTheClose()
    {
        var (ts, bars) = RandomWalk(300, 5);
        var instrument = Instrument(1, ts, bars);
        var data = DatasetBuilder.Build([instrument], new DatasetOptions { ThresholdMode = ThresholdMode.Fixed });
        var ema = data.FeatureNames.ToList().IndexOf("ema_20");
        var atr = data.FeatureNames.ToList().IndexOf("atr_14");
        var t = 100;
        var row = Array.IndexOf(data.Ts, ts[t]);
        Assert.Equal(instrument.Columns["ema_20"][t] / bars.Close[t] - 1, data.X[row, ema], 14);
        Assert.Equal(instrument.Columns["atr_14"][t] / bars.Close[t], data.X[row, atr], 14);
        Assert.DoesNotContain("obv", data.FeatureNames);
    }

    [Fact]
    public void Build_ManyInstruments_SortsByTimeThenInstrument()
    {
        var (ts1, bars1) = RandomWalk(260, 6);
        var (ts2, bars2) = RandomWalk(280, 7);
        var data = DatasetBuilder.Build([Instrument(9, ts2, bars2), Instrument(3, ts1, bars1)],
            new DatasetOptions { ThresholdMode = ThresholdMode.Fixed });
        Assert.Equal(260 - 5 + 280 - 5, data.Count);
        for (var i = 1; i < data.Count; i++)
            Assert.True(data.Ts[i] > data.Ts[i - 1] || (data.Ts[i] == data.Ts[i - 1] && data.InstrumentIds[i] > data.InstrumentIds[i - 1]));
    }

    [Fact]
    public void FromRows_MatchesFromColumns()
    {
        var (ts, bars) = RandomWalk(260, 8);
        var columns = FeatureCalculator.Compute(bars);
        var states = Enumerable.Range(0, 260).Select(i => i < 50 ? (int?)null : i % 3).ToArray();
        var fromColumns = InstrumentFeatures.FromColumns(1, ts, bars.Close, columns, states);
        static double? N(double v) => double.IsNaN(v) ? null : v;
        var rows = Enumerable.Range(0, 260).Select(i => new FeatureSnapshot(ts[i], bars.Close[i], N(columns.Ret1d[i]), N(columns.Ret5d[i]),
            N(columns.Ret20d[i]), N(columns.Rsi14[i]), N(columns.Momentum5d[i]), N(columns.Vol20d[i]), N(columns.Atr14[i]), N(columns.VolumeZScore[i]),
            columns.Additional.Where(p => !double.IsNaN(p.Value[i])).ToDictionary(p => p.Key, p => p.Value[i]), states[i])).ToList();
        var fromRows = InstrumentFeatures.FromRows(1, rows);
        var options = new DatasetOptions { ThresholdMode = ThresholdMode.Fixed };
        var a = DatasetBuilder.Build([fromColumns], options);
        var b = DatasetBuilder.Build([fromRows], options);
        Assert.Equal(a.X.Values, b.X.Values);
        Assert.Equal(a.Label, b.Label);
        var state = a.FeatureNames.ToList().IndexOf(InstrumentFeatures.StateIdName);
        Assert.Equal(ts[100], a.Ts[100]);
        Assert.Equal(100 % 3, a.X[100, state]);
        Assert.True(double.IsNaN(a.X[10, state])); // no regime state before bar 50
    }
}
