namespace Signalbook.Features.Journal.Campaigns;

/// <summary>A price bar as excursions read it: the period <c>[Time, Time + bar length)</c> and its high and low.</summary>
public readonly record struct ExcursionBar(DateTimeOffset Time, decimal High, decimal Low);

/// <summary>
/// Maximum adverse and favourable excursion of a campaign. <see cref="Mae"/> ≤ 0 ≤ <see cref="Mfe"/>, in money
/// (× quantity held × multiplier); the per-unit figures are price distances from the average entry (no quantity, no
/// multiplier). <see cref="BarsUsed"/> is how many bars overlapped the holding period.
/// </summary>
public sealed record ExcursionResult(
    decimal Mae,
    decimal Mfe,
    decimal MaePerUnit,
    decimal MfePerUnit,
    DateTimeOffset? MaeAt,
    DateTimeOffset? MfeAt,
    int BarsUsed);

/// <summary>
/// MAE and MFE, Tradervue-like: the worst and the best unrealised P&amp;L of the position while it was held.
/// <list type="number">
/// <item>The holding period runs from the first fill to the closing fill (for an open campaign, to the end of the last
/// bar given). The legs cut it into segments; in each the position is constant: quantity held Q and average entry A, the
/// average price of the FIFO lots still held (so unrealised + realised P&amp;L add up to the campaign's).</item>
/// <item>A bar covers <c>[Time, Time + barLength)</c>. Every bar overlapping a segment is evaluated against that segment's
/// position: a long's adverse price is the bar's low and its favourable price the high (a short's the reverse);
/// unrealised P&amp;L = (price − A) × Q × multiplier, negated for a short. A bar holding a fill is evaluated against the
/// position before and after it (bar resolution cannot tell which part of the bar came first; finer bars narrow this).</item>
/// <item>The excursion starts at zero at the entry fill's price (the entry bar counts from the fill price), so
/// MAE = min(0, worst) and MFE = max(0, best). Per unit: min(0, worst (price − A)) and max(0, best), signed for a short.</item>
/// <item>Bars that do not overlap the holding period are ignored; with none, both excursions are 0.</item>
/// </list>
/// </summary>
public static class Excursions
{
    public static ExcursionResult Compute(Campaign campaign, IReadOnlyList<ExcursionBar> bars, TimeSpan barLength)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(bars);
        if (barLength <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(barLength), "The bar length must be positive.");

        var sign = campaign.Direction == CampaignDirection.Long ? 1m : -1m;
        var segments = Segments(campaign);
        var end = campaign.ClosedAt ?? (bars.Count == 0 ? campaign.OpenedAt : bars.Max(b => b.Time) + barLength);
        decimal mae = 0, mfe = 0, maeUnit = 0, mfeUnit = 0;
        DateTimeOffset? maeAt = null, mfeAt = null;
        var used = 0;
        foreach (var bar in bars)
        {
            var barEnd = bar.Time + barLength;
            var counted = false;
            for (var s = 0; s < segments.Count; s++)
            {
                var seg = segments[s];
                var segEnd = s + 1 < segments.Count ? segments[s + 1].From : end;
                // The bar [Time, Time + length) overlaps the segment from its fill to the next fill (both instants included).
                if (bar.Time > segEnd || barEnd <= seg.From || seg.Held == 0) continue;
                counted = true;
                var adverse = sign > 0 ? bar.Low : bar.High;
                var favourable = sign > 0 ? bar.High : bar.Low;
                var adverseUnit = (adverse - seg.Average) * sign;
                var favourableUnit = (favourable - seg.Average) * sign;
                var adverseMoney = adverseUnit * seg.Held * campaign.Multiplier;
                var favourableMoney = favourableUnit * seg.Held * campaign.Multiplier;
                if (adverseMoney < mae)
                {
                    mae = adverseMoney;
                    maeAt = bar.Time;
                }
                if (favourableMoney > mfe)
                {
                    mfe = favourableMoney;
                    mfeAt = bar.Time;
                }
                maeUnit = Math.Min(maeUnit, adverseUnit);
                mfeUnit = Math.Max(mfeUnit, favourableUnit);
            }
            if (counted) used++;
        }
        return new ExcursionResult(mae, mfe, maeUnit, mfeUnit, maeAt, mfeAt, used);
    }

    /// <summary>After each leg: from its time, the quantity held and the FIFO average of the lots held.</summary>
    private static List<Segment> Segments(Campaign campaign)
    {
        var lots = new List<(decimal Price, decimal Quantity)>();
        var head = 0;
        var segments = new List<Segment>(campaign.Legs.Count);
        foreach (var leg in campaign.Legs)
        {
            if (leg.Role == LegRole.Entry) lots.Add((leg.Price, leg.Quantity));
            else
            {
                var left = leg.Quantity;
                while (left > 0 && head < lots.Count)
                {
                    var take = Math.Min(left, lots[head].Quantity);
                    left -= take;
                    if (take == lots[head].Quantity) head++;
                    else lots[head] = (lots[head].Price, lots[head].Quantity - take);
                }
            }
            decimal held = 0, cost = 0;
            for (var i = head; i < lots.Count; i++)
            {
                held += lots[i].Quantity;
                cost += lots[i].Price * lots[i].Quantity;
            }
            var segment = new Segment(leg.ExecutedAt, held, held > 0 ? cost / held : 0);
            if (segments.Count > 0 && segments[^1].From == leg.ExecutedAt) segments[^1] = segment;
            else segments.Add(segment);
        }
        return segments;
    }

    private readonly record struct Segment(DateTimeOffset From, decimal Held, decimal Average);
}

/// <summary>A risk profile: the most a trader means to risk on one trade, as a percent of the account balance.</summary>
public sealed record RiskProfile(decimal AccountBalance, decimal MaxRiskPerTradePct);

/// <summary>
/// R multiples. The risk of a campaign is, with a stop: |entry average − stop| × initial size × multiplier, where the
/// initial size is the quantity of the campaign's first (opening) leg; without a stop, from the risk profile: account
/// balance × max risk per trade % ÷ 100. R = realised P&amp;L ÷ risk; null when the risk is unknown or zero.
/// </summary>
public static class RMultiple
{
    public static decimal? Risk(Campaign campaign, decimal? stop, RiskProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        if (stop is { } s)
        {
            var initial = campaign.Legs.Count > 0 ? campaign.Legs[0].Quantity : 0m;
            return Math.Abs(campaign.EntryAverage - s) * initial * campaign.Multiplier;
        }
        return profile is null ? null : profile.AccountBalance * profile.MaxRiskPerTradePct / 100m;
    }

    public static decimal? Compute(Campaign campaign, decimal? stop, RiskProfile? profile) =>
        Risk(campaign, stop, profile) is { } risk && risk != 0 ? campaign.RealisedPnl / risk : null;
}
