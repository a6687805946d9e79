namespace Signalbook.Features.Journal.Stats;

/// <summary>
/// The journal's statistics over closed campaigns, in one pass with dictionaries (linear in the number of campaigns
/// and of their tags, emotions and rule codes; 100 000 campaigns take a few tens of milliseconds).
/// <list type="bullet">
/// <item>A win has P&amp;L &gt; 0, a loss &lt; 0, a breakeven = 0. P&amp;L is realised and after fees.</item>
/// <item>Strategy, tag, emotion and regime: a campaign counts once in each distinct key it carries (a tag listed twice
/// counts once); one without any goes under <see cref="None"/>. Buckets are ordered by key (ordinal).</item>
/// <item>Weekday and hour are of the entry (<see cref="CampaignSummary.OpenedAt"/>) in the user's zone; all 7 weekdays
/// (Monday first) and 24 hours are listed, empty ones with zero counts. Holding time uses
/// <see cref="HoldingBucket"/>.</item>
/// <item>The equity curve, daily, weekly (ISO weeks, from Monday) and monthly P&amp;L are by close day in the user's
/// zone, oldest first; only periods with closes are listed.</item>
/// <item>Rule violations: per rule code, the campaigns that broke it against all the others, and the same for "broke
/// any rule" (<see cref="AnyRule"/>).</item>
/// </list>
/// </summary>
public static class JournalStats
{
    /// <summary>The key of campaigns without a strategy, tag, emotion or regime.</summary>
    public const string None = "(none)";

    /// <summary>The rule code of <see cref="JournalStatistics.AnyRule"/>.</summary>
    public const string AnyRule = "*";

    private static readonly DayOfWeek[] WeekdayOrder =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    public static JournalStatistics Compute(IReadOnlyList<CampaignSummary> campaigns, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        ArgumentNullException.ThrowIfNull(zone);

        int wins = 0, losses = 0, withR = 0;
        decimal net = 0, fees = 0, winSum = 0, lossSum = 0, rSum = 0;
        decimal? largestWin = null, largestLoss = null;
        var strategies = new Dictionary<string, Acc>(StringComparer.Ordinal);
        var tags = new Dictionary<string, Acc>(StringComparer.Ordinal);
        var emotions = new Dictionary<string, Acc>(StringComparer.Ordinal);
        var regimes = new Dictionary<string, Acc>(StringComparer.Ordinal);
        var rules = new Dictionary<string, Acc>(StringComparer.Ordinal);
        var anyRule = new Acc();
        var weekdays = NewAccs(7);
        var hours = NewAccs(24);
        var holding = NewAccs(5);
        var days = new Dictionary<DateOnly, Acc>();

        foreach (var c in campaigns)
        {
            var pnl = c.Pnl;
            net += pnl;
            fees += c.Fees;
            if (pnl > 0)
            {
                wins++;
                winSum += pnl;
                if (largestWin is null || pnl > largestWin) largestWin = pnl;
            }
            else if (pnl < 0)
            {
                losses++;
                lossSum += pnl;
                if (largestLoss is null || pnl < largestLoss) largestLoss = pnl;
            }
            if (c.R is { } r)
            {
                withR++;
                rSum += r;
            }

            Get(strategies, string.IsNullOrEmpty(c.Strategy) ? None : c.Strategy).Add(c);
            Get(regimes, string.IsNullOrEmpty(c.Regime) ? None : c.Regime).Add(c);
            AddDistinct(tags, c.Tags, c);
            AddDistinct(emotions, c.Emotions, c);
            if (c.ViolatedRules is { Count: > 0 } broken)
            {
                AddDistinct(rules, broken, c, addNone: false);
                anyRule.Add(c);
            }

            var opened = c.OpenedAt.ToOffset(zone.GetUtcOffset(c.OpenedAt.UtcDateTime));
            weekdays[((int)opened.DayOfWeek + 6) % 7].Add(c);
            hours[opened.Hour].Add(c);
            holding[(int)Bucket(c.HoldingTime)].Add(c);
            var closed = c.ClosedAt.ToOffset(zone.GetUtcOffset(c.ClosedAt.UtcDateTime));
            Get(days, DateOnly.FromDateTime(closed.DateTime)).Add(c);
        }

        var count = campaigns.Count;
        var daily = days.OrderBy(d => d.Key).Select(d => new PeriodPnl(d.Key, d.Value.Count, d.Value.Wins, d.Value.Losses, d.Value.Pnl)).ToList();
        var equity = new List<EquityPoint>(daily.Count);
        decimal cumulative = 0, peak = 0, maxDrawdown = 0;
        foreach (var day in daily)
        {
            cumulative += day.Pnl;
            peak = Math.Max(peak, cumulative);
            var drawdown = cumulative - peak;
            maxDrawdown = Math.Min(maxDrawdown, drawdown);
            equity.Add(new EquityPoint(day.Start, day.Pnl, cumulative, peak, drawdown));
        }

        var summary = new StatsSummary(
            count, wins, losses, count - wins - losses,
            Percent(wins, count), Percent(losses, count),
            wins > 0 ? winSum / wins : null,
            losses > 0 ? lossSum / losses : null,
            count > 0 ? net / count : null,
            losses > 0 ? winSum / -lossSum : null,
            withR > 0 ? rSum / withR : null,
            withR, largestWin, largestLoss, net, net + fees, fees, maxDrawdown);

        return new JournalStatistics(
            summary,
            Buckets(strategies), Buckets(tags), Buckets(emotions), Buckets(regimes),
            WeekdayOrder.Select((d, i) => weekdays[i].ToBucket(d)).ToList(),
            hours.Select((a, h) => a.ToBucket(h)).ToList(),
            holding.Select((a, b) => a.ToBucket((HoldingBucket)b)).ToList(),
            equity,
            daily,
            Periods(daily, d => d.AddDays(-(((int)d.DayOfWeek + 6) % 7))),
            Periods(daily, d => new DateOnly(d.Year, d.Month, 1)),
            rules.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Value.ToRuleCost(r.Key, count, net)).ToList(),
            anyRule.ToRuleCost(AnyRule, count, net));
    }

    public static HoldingBucket Bucket(TimeSpan holding) => holding switch
    {
        _ when holding < TimeSpan.FromHours(1) => HoldingBucket.UnderOneHour,
        _ when holding < TimeSpan.FromDays(1) => HoldingBucket.OneHourToOneDay,
        _ when holding < TimeSpan.FromDays(5) => HoldingBucket.OneToFiveDays,
        _ when holding <= TimeSpan.FromDays(20) => HoldingBucket.FiveToTwentyDays,
        _ => HoldingBucket.OverTwentyDays,
    };

    private static decimal? Percent(int part, int whole) => whole > 0 ? part * 100m / whole : null;

    private static Acc[] NewAccs(int n)
    {
        var accs = new Acc[n];
        for (var i = 0; i < n; i++) accs[i] = new Acc();
        return accs;
    }

    private static Acc Get<TKey>(Dictionary<TKey, Acc> map, TKey key) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var acc))
        {
            acc = new Acc();
            map.Add(key, acc);
        }
        return acc;
    }

    /// <summary>Adds the campaign once to each distinct key of the list (lists are short: a linear check for repeats).</summary>
    private static void AddDistinct(Dictionary<string, Acc> map, IReadOnlyList<string>? keys, CampaignSummary c, bool addNone = true)
    {
        if (keys is null || keys.Count == 0)
        {
            if (addNone) Get(map, None).Add(c);
            return;
        }
        for (var i = 0; i < keys.Count; i++)
        {
            var repeated = false;
            for (var j = 0; j < i && !repeated; j++) repeated = string.Equals(keys[i], keys[j], StringComparison.Ordinal);
            if (!repeated) Get(map, keys[i]).Add(c);
        }
    }

    private static List<PnlBucket<string>> Buckets(Dictionary<string, Acc> map) =>
        map.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Value.ToBucket(e.Key)).ToList();

    private static List<PeriodPnl> Periods(List<PeriodPnl> daily, Func<DateOnly, DateOnly> start)
    {
        var periods = new List<PeriodPnl>();
        foreach (var day in daily)
        {
            var s = start(day.Start);
            if (periods.Count > 0 && periods[^1].Start == s)
            {
                var p = periods[^1];
                periods[^1] = p with { Count = p.Count + day.Count, Wins = p.Wins + day.Wins, Losses = p.Losses + day.Losses, Pnl = p.Pnl + day.Pnl };
            }
            else periods.Add(day with { Start = s });
        }
        return periods;
    }

    private sealed class Acc
    {
        public int Count, Wins, Losses, WithR;
        public decimal Pnl, RSum;

        public void Add(CampaignSummary c)
        {
            Count++;
            Pnl += c.Pnl;
            if (c.Pnl > 0) Wins++;
            else if (c.Pnl < 0) Losses++;
            if (c.R is { } r)
            {
                WithR++;
                RSum += r;
            }
        }

        public PnlBucket<TKey> ToBucket<TKey>(TKey key) =>
            new(key, Count, Wins, Losses, Pnl, Percent(Wins, Count), Count > 0 ? Pnl / Count : null, WithR > 0 ? RSum / WithR : null);

        public RuleCost ToRuleCost(string code, int total, decimal totalPnl)
        {
            var others = total - Count;
            var othersPnl = totalPnl - Pnl;
            return new RuleCost(code, Count, Pnl, Count > 0 ? Pnl / Count : null, others, othersPnl, others > 0 ? othersPnl / others : null);
        }
    }
}
