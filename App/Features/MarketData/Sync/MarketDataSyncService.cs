using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Signalbook.Data;
using Signalbook.Features.MarketData.Import;
using Signalbook.Features.MarketData.Providers;

namespace Signalbook.Features.MarketData.Sync;

public sealed record SyncProgress(int Done, int Total, string Symbol, string Interval, string Status);

/// <summary>One instrument's sync: what was asked, what came back, what the log row says.</summary>
public sealed record SyncResult(long InstrumentId, string Symbol, string Interval, string Status, int Requests, int BarsFetched,
    int Rejected, int TotalBars, string? Error);

public sealed record SyncSummary(string Interval, int InstrumentsOk, int InstrumentsFailed, int BarsFetched, IReadOnlyList<SyncResult> Results);

/// <summary>
/// Incremental sync from the configured <see cref="IMarketDataProvider"/> into <c>price_bars</c>.
/// For an instrument and interval it asks only for what is missing between the retention horizon and now,
/// measured against the exchange calendar (<see cref="GapPlanner"/>): bars before the first stored one,
/// after the last, and interior holes, each contiguous run in one request (holes less than about a session
/// apart share one request). Bars are validated (finite,
/// prices &gt; 0, OHLC order, volume ≥ 0; intraday bars outside the regular session are dropped), written
/// through <see cref="PriceBarWriter"/> (idempotent), and every run is recorded in <c>data_sync_log</c>.
///
/// Unfillable gaps. An expected bar the provider does not have — an exchange closure the calendar does not
/// know (Hurricane Sandy, 29–30 Oct 2012; national days of mourning), an early close's afternoon, a halted or
/// not-yet-listed stock — would otherwise be asked for on every run, forever. After each request, the
/// requested bars that did not come back are stored as <see cref="EmptyRange"/>s for that provider and
/// skipped from then on. Only settled bars are remembered: a bar younger than <see cref="SettleTime"/> may
/// simply not be published yet, so the newest bars are always asked for again. A different provider starts
/// with no memory; retention drops remembered ranges older than the horizon.
/// </summary>
public sealed class MarketDataSyncService(
    IDbContextFactory<AppDbContext> factory,
    IMarketDataProvider provider,
    PriceBarWriter writer,
    IOptionsMonitor<RetentionOptions> retention,
    TimeProvider clock,
    ILogger<MarketDataSyncService> logger)
{
    /// <summary>Bars that ended less than this long ago are never remembered as unfillable.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromDays(3);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The same sync over another provider (the demo seeding uses the demo market whatever MarketData:Provider says).</summary>
    public MarketDataSyncService Using(IMarketDataProvider other) => new(factory, other, writer, retention, clock, logger);

    /// <summary>Syncs every active instrument for one interval; one instrument failing does not stop the others.</summary>
    public async Task<SyncSummary> SyncAllAsync(string interval, IProgress<SyncProgress>? progress = null, CancellationToken ct = default)
    {
        CheckInterval(interval);
        List<(long Id, string Symbol)> instruments;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            instruments = (await db.Instruments.AsNoTracking().Where(i => i.IsActive).OrderBy(i => i.Symbol).ThenBy(i => i.Exchange)
                .Select(i => new { i.Id, i.Symbol }).ToListAsync(ct)).Select(i => (i.Id, i.Symbol)).ToList();
        }
        var results = new List<SyncResult>();
        foreach (var (id, symbol) in instruments)
        {
            ct.ThrowIfCancellationRequested();
            SyncResult result;
            try
            {
                result = await SyncAsync(id, interval, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // SyncAsync records provider and write errors itself; this is the last guard (e.g. the log write failed).
                logger.LogError(ex, "Sync of {Symbol} {Interval} failed outside the provider", symbol, interval);
                result = new SyncResult(id, symbol, interval, "failed", 0, 0, 0, 0, ex.Message);
            }
            results.Add(result);
            progress?.Report(new SyncProgress(results.Count, instruments.Count, symbol, interval, result.Status));
        }
        return new SyncSummary(interval, results.Count(r => r.Status != "failed"), results.Count(r => r.Status == "failed"),
            results.Sum(r => r.BarsFetched), results);
    }

    /// <summary>Fetches what one instrument is missing for one interval and records the run. Provider errors become a failed or partial log row, not an exception.</summary>
    public async Task<SyncResult> SyncAsync(long instrumentId, string interval, CancellationToken ct = default)
    {
        CheckInterval(interval);
        var now = clock.GetUtcNow();
        Instrument instrument;
        List<DateTimeOffset> stored;
        List<(DateTimeOffset From, DateTimeOffset To)> knownEmpty;
        var horizon = retention.CurrentValue.Horizon(interval, now);
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            instrument = await db.Instruments.AsNoTracking().SingleOrDefaultAsync(i => i.Id == instrumentId, ct)
                         ?? throw new ArgumentException($"Instrument {instrumentId} does not exist.", nameof(instrumentId));
            stored = await db.PriceBars.Where(p => p.InstrumentId == instrumentId && p.Interval == interval && p.Ts >= horizon && p.Ts <= now)
                .Select(p => p.Ts).ToListAsync(ct);
            knownEmpty = (await db.SyncEmptyRanges.AsNoTracking()
                    .Where(r => r.InstrumentId == instrumentId && r.Interval == interval && r.Provider == provider.Name && r.RangeEnd >= horizon)
                    .Select(r => new { r.RangeStart, r.RangeEnd }).ToListAsync(ct))
                .Select(r => (r.RangeStart, r.RangeEnd)).ToList();
        }

        var calendar = ExchangeCalendar.For(instrument.Exchange, instrument.TimeZone);
        var expected = calendar.ExpectedBars(interval, horizon, now).Where(ts => GapPlanner.BarEnd(calendar, interval, ts) <= now).ToList();
        var runs = GapPlanner.Batch(expected, GapPlanner.MissingRuns(expected, stored.ToHashSet(), knownEmpty), GapPlanner.JoinWithin(interval));

        var requests = new List<RequestDetail>();
        var rejects = new List<string>();
        var fetched = 0;
        var outsideSession = 0;
        string? error = null;
        var newEmpty = new List<EmptyRange>();
        foreach (var run in runs)
        {
            // A provider error or a refused write ends this instrument's run (later ranges would likely fail alike);
            // what was stored stays, and the log row says partial or failed with the reason.
            List<OhlcvBar> valid;
            var rejectedTimes = new HashSet<DateTimeOffset>();
            try
            {
                var bars = await provider.GetBarsAsync(instrument.Symbol, interval, run.From, run.To, ct);
                valid = new List<OhlcvBar>(bars.Count);
                foreach (var bar in bars)
                {
                    if (bar.Ts < run.From || bar.Ts > run.To) continue; // outside what was asked: not the provider contract, ignore
                    if (interval != Intervals.OneDay && !calendar.IsOpen(bar.Ts))
                    {
                        outsideSession++;
                        continue;
                    }
                    if (Invalid(bar) is { } reason)
                    {
                        rejects.Add($"{bar.Ts:u}: {reason}");
                        rejectedTimes.Add(bar.Ts);
                        continue;
                    }
                    valid.Add(bar);
                }
                fetched += valid.Count == 0 ? 0 : await writer.UpsertAsync(instrumentId, interval, valid, provider.Name, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                error = $"{provider.Name}: {instrument.Symbol} {interval} {run.From:u} – {run.To:u}: {ex.Message}";
                logger.LogWarning(ex, "Sync of {Symbol} {Interval} from {Provider} failed", instrument.Symbol, interval, provider.Name);
                requests.Add(new RequestDetail(run.From, run.To, run.ExpectedBars, 0, ex.Message));
                break;
            }
            requests.Add(new RequestDetail(run.From, run.To, run.ExpectedBars, valid.Count, null));

            // Remember the settled part of what was asked and did not come (see the class comment). A rejected
            // bar did come, only wrong: it is asked for again next run, in case the provider has corrected it.
            var got = valid.Select(b => b.Ts).Concat(rejectedTimes).ToHashSet();
            var inRun = expected.Where(ts => ts >= run.From && ts <= run.To && GapPlanner.BarEnd(calendar, interval, ts) <= now - SettleTime
                                             && !knownEmpty.Any(r => ts >= r.From && ts <= r.To)).ToList(); // a joined request may span a known hole
            got.UnionWith(stored.Where(ts => ts >= run.From && ts <= run.To)); // stored bars a joined request re-read are not holes either
            foreach (var hole in GapPlanner.MissingRuns(inRun, got, []))
            {
                newEmpty.Add(new EmptyRange { InstrumentId = instrumentId, Interval = interval, Provider = provider.Name, RangeStart = hole.From, RangeEnd = hole.To, RecordedAt = now });
            }
        }

        await using var write = await factory.CreateDbContextAsync(CancellationToken.None);
        var totals = await write.PriceBars.Where(p => p.InstrumentId == instrumentId && p.Interval == interval)
            .GroupBy(_ => 1).Select(g => new { Count = g.Count(), First = g.Min(p => p.Ts), Last = g.Max(p => p.Ts) }).SingleOrDefaultAsync(CancellationToken.None);
        var status = error is not null ? (fetched > 0 ? "partial" : "failed") : rejects.Count > 0 ? "partial" : "success";
        var messages = new List<string>();
        if (error is not null) messages.Add(error);
        if (rejects.Count > 0)
            messages.Add($"{rejects.Count} bar(s) from {provider.Name} rejected and not stored: " + string.Join("; ", rejects.Take(20)) + (rejects.Count > 20 ? $"; … and {rejects.Count - 20} more" : ""));
        write.SyncEmptyRanges.AddRange(newEmpty);
        write.DataSyncLog.Add(new DataSyncLog
        {
            InstrumentId = instrumentId,
            Interval = interval,
            LastSyncAt = now,
            BarsFetched = fetched,
            TotalBars = totals?.Count ?? 0,
            FirstSyncedTs = totals?.First,
            LastSyncedTs = totals?.Last,
            Status = status,
            ErrorMessage = messages.Count == 0 ? null : string.Join("\n", messages),
            Details = JsonSerializer.Serialize(new SyncDetails(provider.Name, requests, rejects.Count, outsideSession, newEmpty.Count), Json),
        });
        await write.SaveChangesAsync(CancellationToken.None);
        return new SyncResult(instrumentId, instrument.Symbol, interval, status, requests.Count, fetched, rejects.Count, totals?.Count ?? 0,
            messages.Count == 0 ? null : string.Join("\n", messages));
    }

    /// <summary>Why a provider bar cannot be stored, or null: the same rules the price_bars check constraints enforce.</summary>
    public static string? Invalid(OhlcvBar b)
    {
        double[] prices = [b.Open, b.High, b.Low, b.Close];
        if (prices.Any(p => !double.IsFinite(p)) || !double.IsFinite(b.Volume)) return "a price or the volume is not a number";
        if (prices.Any(p => p <= 0)) return $"prices must be > 0 (open {b.Open}, high {b.High}, low {b.Low}, close {b.Close})";
        if (b.High < Math.Max(Math.Max(b.Open, b.Close), b.Low)) return $"high {b.High} is below open {b.Open}, close {b.Close} or low {b.Low}";
        if (b.Low > Math.Min(b.Open, b.Close)) return $"low {b.Low} is above open {b.Open} or close {b.Close}";
        if (b.Volume < 0) return $"volume {b.Volume} is negative";
        return null;
    }

    private static void CheckInterval(string interval)
    {
        if (!Intervals.All.Contains(interval))
            throw new ArgumentException($"Unknown interval '{interval}'; expected one of {string.Join(", ", Intervals.All)}.", nameof(interval));
    }

    private sealed record RequestDetail(DateTimeOffset From, DateTimeOffset To, int Expected, int Received, string? Error);

    private sealed record SyncDetails(string Provider, IReadOnlyList<RequestDetail> Requests, int Rejected, int OutsideSession, int EmptyRangesRecorded);
}
