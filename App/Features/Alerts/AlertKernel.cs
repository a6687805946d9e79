using System.Runtime.CompilerServices;

namespace Signalbook.Features.Alerts;

/// <summary>
/// The two newest stored daily bars of each instrument, with their features and the newest two recommendation labels per
/// risk profile, as columns (slot i is one instrument). Missing values are NaN (doubles), <see cref="NoState"/> (states),
/// 0 (labels, times). Everything here is known at the close of the newest bar: nothing later is ever loaded.
/// </summary>
public sealed class MarketSnapshot
{
    public const int NoState = int.MinValue;
    public const byte NoLabel = 0;
    public const int Profiles = 3;

    public MarketSnapshot(int count)
    {
        Count = count;
        InstrumentIds = new long[count];
        Symbols = new string[count];
        CurTs = new long[count];
        PrevTs = new long[count];
        CurClose = Nan(count);
        PrevClose = Nan(count);
        CurRsi = Nan(count);
        PrevRsi = Nan(count);
        CurDist = Nan(count);
        PrevDist = Nan(count);
        CurVolZ = Nan(count);
        PrevVolZ = Nan(count);
        CurState = Fill(count, NoState);
        PrevState = Fill(count, NoState);
        for (var p = 0; p < Profiles; p++)
        {
            RecLabel[p] = new byte[count];
            PrevRecLabel[p] = new byte[count];
            RecTs[p] = new long[count];
        }
    }

    public int Count { get; }
    public long[] InstrumentIds { get; }
    public string[] Symbols { get; }
    /// <summary>UTC ticks of the newest and the previous daily bar (0 when missing).</summary>
    public long[] CurTs { get; }
    public long[] PrevTs { get; }
    public double[] CurClose { get; }
    public double[] PrevClose { get; }
    public double[] CurRsi { get; }
    public double[] PrevRsi { get; }
    /// <summary>Distance from the 52-week high in percent (the stored fraction × 100; ≤ 0).</summary>
    public double[] CurDist { get; }
    public double[] PrevDist { get; }
    public double[] CurVolZ { get; }
    public double[] PrevVolZ { get; }
    public int[] CurState { get; }
    public int[] PrevState { get; }
    /// <summary>Per profile (<see cref="AlertCodes.ProfileCode"/>): the newest recommendation's label code, the one before it, and the bar it was scored on.</summary>
    public byte[][] RecLabel { get; } = new byte[Profiles][];
    public byte[][] PrevRecLabel { get; } = new byte[Profiles][];
    public long[][] RecTs { get; } = new long[Profiles][];

    private static double[] Nan(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }

    private static int[] Fill(int n, int v)
    {
        var a = new int[n];
        Array.Fill(a, v);
        return a;
    }
}

/// <summary>Instrument rules as columns; <see cref="Slot"/> is the instrument's index in the <see cref="MarketSnapshot"/> (−1: not in it).</summary>
public sealed class RuleColumns(int count)
{
    public int Count { get; } = count;
    public long[] RuleIds { get; } = new long[count];
    public byte[] Kind { get; } = new byte[count];
    public int[] Slot { get; } = new int[count];
    public byte[] Indicator { get; } = new byte[count];
    public byte[] Direction { get; } = new byte[count];
    public double[] Threshold { get; } = new double[count];
    public byte[] Profile { get; } = new byte[count];
    public long[] CooldownTicks { get; } = new long[count];
    /// <summary>UTC ticks; <see cref="long.MinValue"/> when never.</summary>
    public long[] LastFired { get; } = new long[count];
    public long[] LastBar { get; } = new long[count];
}

/// <summary>Small integer codes of the string columns, shared by the kernel, the loader and the bench.</summary>
public static class AlertCodes
{
    public const byte PriceCrossAbove = 1, PriceCrossBelow = 2, PctMoveDay = 3, IndicatorCross = 4, RegimeChange = 5, RecommendationChange = 6;
    public const byte Rsi = 1, Dist = 2, VolZ = 3;
    public const byte Above = 1, Below = 2, Up = 3, Down = 4, Either = 5;
    public const byte Buy = 1, Hold = 2, Sell = 3;

    public static byte KindCode(string kind) => kind switch
    {
        AlertRuleKinds.PriceCrossAbove => PriceCrossAbove,
        AlertRuleKinds.PriceCrossBelow => PriceCrossBelow,
        AlertRuleKinds.PctMoveDay => PctMoveDay,
        AlertRuleKinds.IndicatorCross => IndicatorCross,
        AlertRuleKinds.RegimeChange => RegimeChange,
        AlertRuleKinds.RecommendationChange => RecommendationChange,
        _ => 0,
    };

    public static byte IndicatorCode(string? indicator) => indicator switch
    {
        AlertIndicators.Rsi14 => Rsi,
        AlertIndicators.Dist52wHigh => Dist,
        AlertIndicators.VolumeZscore => VolZ,
        _ => 0,
    };

    public static byte DirectionCode(string? direction) => direction switch
    {
        AlertDirections.Above => Above,
        AlertDirections.Below => Below,
        AlertDirections.Up => Up,
        AlertDirections.Down => Down,
        AlertDirections.Either => Either,
        _ => 0,
    };

    /// <summary>0 conservative, 1 moderate, 2 aggressive.</summary>
    public static byte ProfileCode(string? profile) => profile switch
    {
        Users.RiskProfiles.Conservative => 0,
        Users.RiskProfiles.Aggressive => 2,
        _ => 1,
    };

    public static byte LabelCode(string? label) => label switch
    {
        "BUY" => Buy,
        "HOLD" => Hold,
        "SELL" => Sell,
        _ => MarketSnapshot.NoLabel,
    };

    /// <summary>The profile's name for its code (the inverse of <see cref="ProfileCode"/>; an unknown profile reads as moderate, as it is evaluated).</summary>
    public static string ProfileName(byte code) => code switch { 0 => Users.RiskProfiles.Conservative, 2 => Users.RiskProfiles.Aggressive, _ => Users.RiskProfiles.Moderate };

    /// <summary>The instrument kind's name for its code (the inverse of <see cref="KindCode"/> over the instrument kinds).</summary>
    public static string? KindName(byte code) => code switch
    {
        PriceCrossAbove => AlertRuleKinds.PriceCrossAbove,
        PriceCrossBelow => AlertRuleKinds.PriceCrossBelow,
        PctMoveDay => AlertRuleKinds.PctMoveDay,
        IndicatorCross => AlertRuleKinds.IndicatorCross,
        RegimeChange => AlertRuleKinds.RegimeChange,
        RecommendationChange => AlertRuleKinds.RecommendationChange,
        _ => null,
    };

    /// <summary>
    /// A SQL CASE that turns a text column into the code the C# mapping gives each known value (<paramref name="otherwise"/>
    /// for the rest), so the loader reads small integers, not strings, and the two mappings cannot drift apart.
    /// </summary>
    public static string SqlCase(string column, IEnumerable<string> values, Func<string, byte> code, int otherwise) =>
        $"(CASE {column} {string.Join(" ", values.Select(v => $"WHEN '{v}' THEN {code(v)}"))} ELSE {otherwise} END)::int2";

    public static string LabelName(byte code) => code switch { Buy => "BUY", Hold => "HOLD", Sell => "SELL", _ => "none" };
}

/// <summary>What the kernel decided for one rule.</summary>
public enum RuleOutcome : byte
{
    /// <summary>No newer bar than the one the rule last saw (or its instrument has none): nothing changes.</summary>
    NotDue = 0,
    /// <summary>The new bar was looked at; the rule did not fire (condition false, data missing, or cooling down).</summary>
    Evaluated = 1,
    Fired = 2,
}

/// <summary>
/// Evaluates every instrument rule on the snapshot in one pass over arrays (no I/O). A rule looks at its instrument's
/// newest bar once: if that bar is not newer than <see cref="RuleColumns.LastBar"/> it is not due, so a bar never fires
/// a rule twice. Crossings need the previous and the newest value (both known at the newest close): "above" fires when
/// previous &lt; level ≤ newest, so a series already above the level does not fire. Cooldown is counted from the last firing.
/// The per-instrument values (the day's move, the regime change) are computed once; the rules are split into fixed
/// chunks that the calling thread and pool threads take in turn (each chunk writes only its own slice of the outcome, so
/// the result does not depend on the scheduling), with no allocation per rule.
/// </summary>
public static class AlertKernel
{
    /// <summary>Rules per parallel chunk: large enough that scheduling costs nothing next to the work, small enough to balance two cores.</summary>
    public const int ChunkSize = 4_096;

    /// <summary>Optimised at once (no tiering): it runs once per sync over every rule, so a tier-0 first run would be the one that counts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RuleOutcome[] Evaluate(MarketSnapshot s, RuleColumns r, long nowTicks, bool parallel = true)
    {
        var n = s.Count;
        // Per instrument once: the day's move and whether the regime changed.
        var move = new double[n];
        var regime = new bool[n];
        for (var i = 0; i < n; i++)
        {
            move[i] = PctMove(s.PrevClose[i], s.CurClose[i]);
            regime[i] = s.PrevState[i] != MarketSnapshot.NoState && s.CurState[i] != MarketSnapshot.NoState && s.PrevState[i] != s.CurState[i];
        }
        var outcome = new RuleOutcome[r.Count];
        var chunks = (r.Count + ChunkSize - 1) / ChunkSize;
        if (!parallel || chunks <= 1 || Environment.ProcessorCount == 1)
        {
            EvaluateRange(s, r, nowTicks, move, regime, outcome, 0, r.Count);
            return outcome;
        }
        // The caller takes chunks itself and helpers take them too when the pool has a thread to spare. The caller then
        // waits only for chunks a helper has already taken: on a busy machine, where no helper gets a core in time, it
        // simply does the work alone (Parallel.For would wait for its queued helpers to be scheduled first).
        var work = new ChunkWork(s, r, nowTicks, move, regime, outcome, chunks);
        for (var h = 1; h < Math.Min(Environment.ProcessorCount, chunks); h++) ThreadPool.UnsafeQueueUserWorkItem(static w => w.Run(), work, preferLocal: false);
        work.Run();
        var spin = new SpinWait();
        while (Volatile.Read(ref work.Done) < chunks) spin.SpinOnce();
        return outcome;
    }

    private sealed class ChunkWork(MarketSnapshot s, RuleColumns r, long nowTicks, double[] move, bool[] regime, RuleOutcome[] outcome, int chunks)
    {
        private int _next = -1;
        public int Done;

        public void Run()
        {
            int c;
            while ((c = Interlocked.Increment(ref _next)) < chunks)
            {
                EvaluateRange(s, r, nowTicks, move, regime, outcome, c * ChunkSize, Math.Min(r.Count, (c + 1) * ChunkSize));
                Interlocked.Increment(ref Done);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EvaluateRange(MarketSnapshot s, RuleColumns r, long nowTicks, double[] move, bool[] regime, RuleOutcome[] outcome, int from, int to)
    {
        var n = s.Count;
        var (curTs, curClose, prevClose) = (s.CurTs, s.CurClose, s.PrevClose);
        var (kind, slot, threshold, direction, indicator, profile) = (r.Kind, r.Slot, r.Threshold, r.Direction, r.Indicator, r.Profile);
        var (lastBar, lastFired, cooldown) = (r.LastBar, r.LastFired, r.CooldownTicks);
        for (var k = from; k < to; k++)
        {
            var i = slot[k];
            if ((uint)i >= (uint)n) continue;
            var bar = curTs[i];
            if (bar == 0 || bar <= lastBar[k]) continue;
            var t = threshold[k];
            bool fires;
            switch (kind[k])
            {
                case AlertCodes.PriceCrossAbove:
                    fires = CrossAbove(prevClose[i], curClose[i], t);
                    break;
                case AlertCodes.PriceCrossBelow:
                    fires = CrossBelow(prevClose[i], curClose[i], t);
                    break;
                case AlertCodes.PctMoveDay:
                    var m = move[i];
                    fires = direction[k] switch
                    {
                        AlertCodes.Up => m >= t,
                        AlertCodes.Down => m <= -t,
                        _ => Math.Abs(m) >= t,
                    };
                    break;
                case AlertCodes.IndicatorCross:
                    double prev, cur;
                    switch (indicator[k])
                    {
                        case AlertCodes.Rsi: (prev, cur) = (s.PrevRsi[i], s.CurRsi[i]); break;
                        case AlertCodes.Dist: (prev, cur) = (s.PrevDist[i], s.CurDist[i]); break;
                        case AlertCodes.VolZ: (prev, cur) = (s.PrevVolZ[i], s.CurVolZ[i]); break;
                        default: (prev, cur) = (double.NaN, double.NaN); break;
                    }
                    fires = direction[k] == AlertCodes.Below ? CrossBelow(prev, cur, t) : CrossAbove(prev, cur, t);
                    break;
                case AlertCodes.RegimeChange:
                    fires = regime[i];
                    break;
                case AlertCodes.RecommendationChange:
                    var p = profile[k];
                    if (p >= MarketSnapshot.Profiles)
                    {
                        fires = false; // never thrown on a helper thread: an unknown profile does not fire
                        break;
                    }
                    var label = s.RecLabel[p][i];
                    fires = s.RecTs[p][i] == bar && label != MarketSnapshot.NoLabel && label != s.PrevRecLabel[p][i];
                    break;
                default:
                    fires = false;
                    break;
            }
            var cooling = lastFired[k] != long.MinValue && nowTicks - lastFired[k] < cooldown[k];
            outcome[k] = fires && !cooling ? RuleOutcome.Fired : RuleOutcome.Evaluated;
        }
    }

    /// <summary>The day's move in percent: (close / previous close − 1) × 100, NaN without both closes.</summary>
    public static double PctMove(double prev, double cur) => prev > 0 && !double.IsNaN(cur) ? (cur / prev - 1.0) * 100.0 : double.NaN;

    // NaN compares false, so a missing value never crosses.
    public static bool CrossAbove(double prev, double cur, double level) => prev < level && cur >= level;

    public static bool CrossBelow(double prev, double cur, double level) => prev > level && cur <= level;
}
