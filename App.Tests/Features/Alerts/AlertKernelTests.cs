using Signalbook.Features.Alerts;

namespace Signalbook.Tests.Features.Alerts;

/// <summary>
/// The kernel split across cores decides exactly as one thread does and as a rule-by-rule reading of the conditions,
/// on a market and rule set large enough to span many chunks (mixed kinds, missing values, cooldowns, seen bars).
/// </summary>
public sealed class AlertKernelTests
{
    private const long Day = TimeSpan.TicksPerDay;

    [Fact]
    public void Evaluate_InParallelChunks_MatchesOneThreadAndARuleByRuleReading()
    {
        var rnd = new Random(12);
        const int n = 300;
        var s = new MarketSnapshot(n);
        var cur = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        for (var i = 0; i < n; i++)
        {
            s.CurTs[i] = i % 50 == 0 ? 0 : cur; // a few instruments without bars
            s.PrevClose[i] = 50 + rnd.Next(100);
            s.CurClose[i] = s.PrevClose[i] * (0.95 + 0.1 * rnd.NextDouble());
            s.PrevRsi[i] = rnd.NextDouble() < 0.1 ? double.NaN : rnd.Next(20, 80);
            s.CurRsi[i] = rnd.Next(20, 80);
            s.PrevDist[i] = -30 * rnd.NextDouble();
            s.CurDist[i] = -30 * rnd.NextDouble();
            s.PrevVolZ[i] = rnd.NextDouble() * 4 - 2;
            s.CurVolZ[i] = rnd.NextDouble() < 0.1 ? double.NaN : rnd.NextDouble() * 4 - 2;
            s.PrevState[i] = rnd.Next(3);
            s.CurState[i] = rnd.NextDouble() < 0.1 ? MarketSnapshot.NoState : rnd.Next(3);
            for (var p = 0; p < MarketSnapshot.Profiles; p++)
            {
                s.PrevRecLabel[p][i] = (byte)rnd.Next(4);
                s.RecLabel[p][i] = (byte)rnd.Next(4);
                s.RecTs[p][i] = rnd.NextDouble() < 0.8 ? cur : cur - Day;
            }
        }
        var count = AlertKernel.ChunkSize * 5 + 123;
        var r = new RuleColumns(count);
        var now = cur + Day / 2;
        for (var k = 0; k < count; k++)
        {
            r.RuleIds[k] = k;
            r.Slot[k] = k % 997 == 0 ? -1 : rnd.Next(n);
            r.Kind[k] = (byte)rnd.Next(1, 7);
            r.Indicator[k] = (byte)rnd.Next(1, 4);
            r.Direction[k] = (byte)rnd.Next(1, 6);
            r.Profile[k] = (byte)rnd.Next(3);
            r.Threshold[k] = r.Kind[k] switch
            {
                AlertCodes.PriceCrossAbove or AlertCodes.PriceCrossBelow => 50 + rnd.Next(100),
                AlertCodes.PctMoveDay => 0.5 + 4 * rnd.NextDouble(),
                _ => r.Indicator[k] == AlertCodes.Dist ? -30 * rnd.NextDouble() : r.Indicator[k] == AlertCodes.VolZ ? rnd.NextDouble() * 4 - 2 : rnd.Next(20, 80),
            };
            r.CooldownTicks[k] = rnd.NextDouble() < 0.5 ? 0 : Day;
            r.LastFired[k] = rnd.NextDouble() < 0.2 ? now - Day / 4 : long.MinValue;
            r.LastBar[k] = rnd.NextDouble() < 0.1 ? cur : long.MinValue;
        }

        var parallel = AlertKernel.Evaluate(s, r, now);
        var serial = AlertKernel.Evaluate(s, r, now, parallel: false);

        Assert.Equal(serial, parallel);
        for (var k = 0; k < count; k++) Assert.True(Expected(s, r, k, now) == parallel[k], $"rule {k} (kind {r.Kind[k]}): {parallel[k]}");
        // The set is not degenerate: every outcome occurs, and every kind fires somewhere.
        Assert.All(Enum.GetValues<RuleOutcome>(), o => Assert.Contains(o, parallel));
        Assert.All(Enumerable.Range(1, 6), kind => Assert.Contains(Enumerable.Range(0, count), k => r.Kind[k] == kind && parallel[k] == RuleOutcome.Fired));
    }

    /// <summary>The conditions as the rules' documentation states them, one rule at a time.</summary>
    private static RuleOutcome Expected(MarketSnapshot s, RuleColumns r, int k, long now)
    {
        var i = r.Slot[k];
        if (i < 0 || s.CurTs[i] == 0 || s.CurTs[i] <= r.LastBar[k]) return RuleOutcome.NotDue;
        var t = r.Threshold[k];
        double[] prevs = r.Indicator[k] switch { AlertCodes.Rsi => s.PrevRsi, AlertCodes.Dist => s.PrevDist, _ => s.PrevVolZ };
        double[] curs = r.Indicator[k] switch { AlertCodes.Rsi => s.CurRsi, AlertCodes.Dist => s.CurDist, _ => s.CurVolZ };
        var move = (s.CurClose[i] / s.PrevClose[i] - 1) * 100;
        var p = r.Profile[k];
        var condition = r.Kind[k] switch
        {
            AlertCodes.PriceCrossAbove => s.PrevClose[i] < t && s.CurClose[i] >= t,
            AlertCodes.PriceCrossBelow => s.PrevClose[i] > t && s.CurClose[i] <= t,
            AlertCodes.PctMoveDay => r.Direction[k] switch { AlertCodes.Up => move >= t, AlertCodes.Down => move <= -t, _ => Math.Abs(move) >= t },
            AlertCodes.IndicatorCross => !double.IsNaN(prevs[i]) && !double.IsNaN(curs[i]) &&
                                         (r.Direction[k] == AlertCodes.Below ? prevs[i] > t && curs[i] <= t : prevs[i] < t && curs[i] >= t),
            AlertCodes.RegimeChange => s.PrevState[i] != MarketSnapshot.NoState && s.CurState[i] != MarketSnapshot.NoState && s.PrevState[i] != s.CurState[i],
            _ => s.RecTs[p][i] == s.CurTs[i] && s.RecLabel[p][i] != 0 && s.RecLabel[p][i] != s.PrevRecLabel[p][i],
        };
        var cooling = r.LastFired[k] != long.MinValue && now - r.LastFired[k] < r.CooldownTicks[k];
        return condition && !cooling ? RuleOutcome.Fired : RuleOutcome.Evaluated;
    }
}
