using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Contexts;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Journal.Trades;
using Signalbook.Features.MarketData;
using Signalbook.Features.Portfolios;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.Trades;

/// <summary>
/// Set-up of the trades tests through the real services (manual fills, contexts) so campaigns are built as in the app;
/// only what no journal service writes (instruments and bars, strategies, journal notes) goes straight to the database.
/// </summary>
internal static class JournalTradesSeed
{
    /// <summary>A Thursday, 15:00 UTC: the first fill of most scenarios.</summary>
    public static readonly DateTimeOffset Start = new(2026, 10, 1, 15, 0, 0, TimeSpan.Zero);

    /// <summary>An instrument with daily bars from 30 days before <see cref="Start"/> to 40 days after, close = <paramref name="close"/>, high/low ±2.</summary>
    public static async Task<long> AddInstrumentWithBarsAsync(this ServiceHarness h, string symbol, double close = 100)
    {
        await using var db = await h.DbAsync();
        var instrument = new Instrument { Symbol = symbol, Exchange = "NASDAQ", Name = symbol + " Inc", CreatedAt = h.Clock.GetUtcNow(), UpdatedAt = h.Clock.GetUtcNow() };
        db.Instruments.Add(instrument);
        await db.SaveChangesAsync();
        var first = new DateTimeOffset(Start.UtcDateTime.Date, TimeSpan.Zero).AddDays(-30);
        for (var i = 0; i <= 70; i++)
        {
            db.PriceBars.Add(new PriceBar
            {
                InstrumentId = instrument.Id, Interval = Intervals.OneDay, Ts = first.AddDays(i), Open = close, High = close + 2, Low = close - 2, Close = close,
                Volume = 1_000_000, Source = "test", CreatedAt = h.Clock.GetUtcNow(),
            });
        }
        await db.SaveChangesAsync();
        return instrument.Id;
    }

    public static async Task<ManualFillAdded> FillAsync(this ServiceHarness h, Guid user, string symbol, FillSide side, decimal quantity, decimal price, DateTimeOffset at,
        decimal fees = 0m)
        => await h.WithAsync<ManualFillService, ManualFillAdded>(s => s.AddAsync(JournalCaller.Trader(user), new ManualFillInput(symbol, side, quantity, price, fees, at)));

    /// <summary>A closed round trip: buy then sell (long) or sell then buy (short) a day later; returns the opening fill (the campaign's group id).</summary>
    public static async Task<long> RoundTripAsync(this ServiceHarness h, Guid user, string symbol, decimal quantity, decimal entry, decimal exit, DateTimeOffset at,
        bool shortSide = false)
    {
        var open = await h.FillAsync(user, symbol, shortSide ? FillSide.Sell : FillSide.Buy, quantity, entry, at);
        await h.FillAsync(user, symbol, shortSide ? FillSide.Buy : FillSide.Sell, quantity, exit, at.AddDays(1));
        return open.FillId;
    }

    public static Task<ContextSaved> ContextAsync(this ServiceHarness h, Guid user, long fillId, DecisionContextInput input)
        => h.WithAsync<DecisionContextService, ContextSaved>(s => s.UpsertAsync(JournalCaller.Trader(user), fillId, input));

    public static DecisionContextInput Entry(decimal? stop = null, decimal? target = null, long? strategy = null)
        => new(DecisionContextTypes.Entry, strategy, "Breakout over the range high.", new ExitIntent(stop, target), new Feelings([Emotions.Calm], 2));

    public static Task<CampaignDetail> DetailAsync(this ServiceHarness h, Guid user, long groupId)
        => h.WithAsync<CampaignQueryService, CampaignDetail>(s => s.DetailAsync(JournalCaller.Trader(user), groupId));

    public static Task<CampaignList> QueryAsync(this ServiceHarness h, Guid user, CampaignQuery query)
        => h.WithAsync<CampaignQueryService, CampaignList>(s => s.QueryAsync(JournalCaller.Trader(user), query));

    public static async Task<long> AddStrategyAsync(this ServiceHarness h, Guid user, string name)
    {
        await using var db = await h.DbAsync();
        var s = new Strategy { UserId = user, Name = name, StrategyType = StrategyType.Momentum, CreatedAt = h.Clock.GetUtcNow(), UpdatedAt = h.Clock.GetUtcNow() };
        db.Strategies.Add(s);
        await db.SaveChangesAsync();
        return s.Id;
    }

    public static async Task AddNoteAsync(this ServiceHarness h, Guid user, long groupId, string content, params string[] tags)
    {
        await using var db = await h.DbAsync();
        db.JournalEntries.Add(new JournalEntry
        {
            UserId = user, Date = DateOnly.FromDateTime(Start.UtcDateTime), EntryType = "trade", Content = content, TradeId = groupId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Tags = System.Text.Json.JsonSerializer.Serialize(tags), CreatedAt = h.Clock.GetUtcNow(), UpdatedAt = h.Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
    }
}
