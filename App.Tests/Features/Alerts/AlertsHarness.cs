using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Alerts;
using Signalbook.Features.MarketData;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Alerts;

/// <summary>
/// The alerts' real services over a test database, with helpers that write hand-made daily bars and features (at 00:00
/// UTC of their trading date, as PriceBarWriter stores them). Each test makes its own users and instruments.
/// </summary>
public class AlertsHarness : ServiceHarness
{
    private static int _n;

    public async Task<Guid> NewUserAsync(string role = Roles.Trader) =>
        (await CreateUserAsync($"alerts{Interlocked.Increment(ref _n)}-{Guid.NewGuid():N}@alerts.test", role)).Id;

    public async Task<(long Id, string Symbol)> NewInstrumentAsync(string exchange = "NASDAQ", string zone = "America/New_York")
    {
        var symbol = $"T{Interlocked.Increment(ref _n)}{Guid.NewGuid().ToString("N")[..4].ToUpperInvariant()}";
        await using var db = await DbAsync();
        var i = new Instrument { Symbol = symbol, Exchange = exchange, TimeZone = zone, CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() };
        db.Instruments.Add(i);
        await db.SaveChangesAsync();
        return (i.Id, symbol);
    }

    public static DateTimeOffset Day(int year, int month, int day) => new(year, month, day, 0, 0, 0, TimeSpan.Zero);

    /// <summary>One daily bar (and its features row) at 00:00 UTC of <paramref name="date"/>.</summary>
    public async Task AddBarAsync(long instrumentId, DateTimeOffset date, double close, double? rsi = null, double? dist = null, double? volumeZ = null, int? state = null)
    {
        await using var db = await DbAsync();
        db.PriceBars.Add(new PriceBar { InstrumentId = instrumentId, Interval = Intervals.OneDay, Ts = date, Open = close, High = close, Low = close, Close = close, Volume = 1000, Source = "test" });
        db.Features.Add(new FeatureRow
        {
            InstrumentId = instrumentId, Interval = Intervals.OneDay, Ts = date, Rsi14 = rsi, VolumeZscore = volumeZ, StateId = state, FeatureVersion = "test",
            Additional = dist is { } d ? $"{{\"dist_52w_high\": {d.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}" : "{}",
        });
        await db.SaveChangesAsync();
    }

    public Task<long> CreateRuleAsync(Guid user, AlertRuleInput input) => WithAsync<AlertRuleService, long>(s => s.CreateAsync(AlertCaller.Trader(user), input));

    public Task<AlertRunResult> EvaluateAsync() => WithAsync<AlertEvaluator, AlertRunResult>(e => e.EvaluateAsync());

    public async Task<List<Alert>> AlertsOfAsync(long ruleId)
    {
        await using var db = await DbAsync();
        return await db.Alerts.AsNoTracking().Where(a => a.RuleId == ruleId).OrderBy(a => a.Id).ToListAsync();
    }

    public async Task<AlertRule> RuleAsync(long ruleId)
    {
        await using var db = await DbAsync();
        return await db.AlertRules.AsNoTracking().SingleAsync(r => r.Id == ruleId);
    }
}
