using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.MarketData;

namespace Signalbook.Features.Recommendations;

public sealed record BackfillRun(int Evaluated, int Pending);

/// <summary>
/// Fills in what happened to each prediction once its horizon has passed: actual_price = the close of the H-th daily
/// bar after the bar scored (as_of), prediction_error = actual − predicted price, and was_correct: for BUY ("up") the
/// price rose, for SELL ("down") it fell (the hit-rate convention of the model metrics), and for HOLD ("neutral") it
/// moved less than the label threshold in either direction. Predictions whose H-th bar is not stored yet stay pending.
/// </summary>
public sealed class OutcomeBackfill(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    private const int Batch = 2000;

    public async Task<BackfillRun> RunAsync(CancellationToken ct = default)
    {
        var (evaluated, pending) = (0, 0);
        long after = 0;
        while (true)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var open = await db.MlPredictions.AsNoTracking()
                .Where(p => p.WasCorrect == null && p.RecommendationId != null && p.InstrumentId != null && p.Id > after)
                .OrderBy(p => p.Id).Take(Batch)
                .Join(db.Recommendations, p => p.RecommendationId, r => r.Id, (p, r) => new
                {
                    p.Id, InstrumentId = p.InstrumentId!.Value, p.PredictedPrice, p.PredictedDirection, r.FeaturesSnapshot,
                })
                .ToListAsync(ct);
            if (open.Count == 0) break;
            after = open.Max(p => p.Id);
            var now = clock.GetUtcNow();
            foreach (var group in open.GroupBy(p => p.InstrumentId))
            {
                var items = group.Select(p => (p.Id, p.PredictedPrice, p.PredictedDirection, Snapshot: RecommendationSnapshot.Parse(p.FeaturesSnapshot)))
                    .Where(p => p.Snapshot is not null).ToList();
                if (items.Count == 0) continue;
                var since = items.Min(p => p.Snapshot!.AsOf);
                var bars = await db.PriceBars.AsNoTracking().Where(b => b.InstrumentId == group.Key && b.Interval == Intervals.OneDay && b.Ts > since)
                    .OrderBy(b => b.Ts).Select(b => new { b.Ts, b.Close }).ToListAsync(ct);
                var times = bars.Select(b => b.Ts).ToArray();
                foreach (var (id, predictedPrice, direction, snapshot) in items)
                {
                    var first = Array.FindIndex(times, ts => ts > snapshot!.AsOf);
                    var h = Math.Max(1, snapshot!.HorizonDays);
                    if (first < 0 || first + h - 1 >= bars.Count)
                    {
                        pending++;
                        continue;
                    }
                    var actual = bars[first + h - 1].Close;
                    var outcome = Judge(direction, snapshot.Close, actual, snapshot.LabelThreshold);
                    await db.MlPredictions.Where(p => p.Id == id).ExecuteUpdateAsync(u => u
                        .SetProperty(p => p.ActualPrice, actual)
                        .SetProperty(p => p.PredictionError, predictedPrice is { } pp ? actual - pp : null)
                        .SetProperty(p => p.WasCorrect, outcome)
                        .SetProperty(p => p.EvaluatedAt, now), ct);
                    evaluated++;
                }
            }
        }
        return new BackfillRun(evaluated, pending);
    }

    /// <summary>Whether a call came true: up = rose, down = fell, neutral = stayed within ± threshold (1 % when unknown).</summary>
    public static bool Judge(string? direction, double entry, double actual, double? threshold)
    {
        var r = actual / entry - 1;
        return direction switch
        {
            "up" => r > 0,
            "down" => r < 0,
            _ => Math.Abs(r) <= (threshold is { } t && t > 0 ? t : 0.01),
        };
    }
}
