using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Signalbook.Data;

namespace Signalbook.Features.MarketData.Sync;

public sealed record RetentionReport(DateTimeOffset IntradayCutoff, DateTimeOffset DailyCutoff, int BarsDeleted, int FeaturesDeleted);

/// <summary>
/// Deletes bars older than the retention window (<see cref="RetentionOptions"/>: intraday bars after a rolling
/// number of days, daily bars after a number of years) together with their <c>features</c> rows and the
/// sync's remembered empty ranges, in one transaction. Bars at exactly the cutoff are kept.
/// </summary>
public sealed class RetentionService(IDbContextFactory<AppDbContext> factory, IOptionsMonitor<RetentionOptions> options, TimeProvider clock,
    ILogger<RetentionService> logger)
{
    public async Task<RetentionReport> PurgeAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var intraday = options.CurrentValue.Horizon(Intervals.FifteenMinutes, now);
        var daily = options.CurrentValue.Horizon(Intervals.OneDay, now);
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var features = await db.Features.Where(f => (f.Interval == Intervals.OneDay && f.Ts < daily) || (f.Interval != Intervals.OneDay && f.Ts < intraday)).ExecuteDeleteAsync(ct);
        var bars = await db.PriceBars.Where(p => (p.Interval == Intervals.OneDay && p.Ts < daily) || (p.Interval != Intervals.OneDay && p.Ts < intraday)).ExecuteDeleteAsync(ct);
        await db.SyncEmptyRanges.Where(r => (r.Interval == Intervals.OneDay && r.RangeEnd < daily) || (r.Interval != Intervals.OneDay && r.RangeEnd < intraday)).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Retention: {Bars} bars and {Features} feature rows deleted (intraday before {Intraday:u}, daily before {Daily:u})",
            bars, features, intraday, daily);
        return new RetentionReport(intraday, daily, bars, features);
    }
}
