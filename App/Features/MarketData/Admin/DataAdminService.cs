using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Audit;

namespace Signalbook.Features.MarketData.Admin;

/// <summary>Stored bars of one instrument and bar size: first and last bar, count, and sessions' bars missing against the exchange calendar.</summary>
public sealed record CoverageRow(long InstrumentId, string Symbol, string Exchange, bool IsActive, string Interval,
    DateTimeOffset? First, DateTimeOffset? Last, int Bars, int MissingBars);

public sealed record SyncLogRow(long Id, string Symbol, string Interval, DateTimeOffset At, string Status, int BarsFetched, int TotalBars,
    DateTimeOffset? FirstSynced, DateTimeOffset? LastSynced, string? Error);

/// <summary>An instrument as the admin list shows it and the form edits it.</summary>
public sealed record InstrumentRow(long Id, string Symbol, string Exchange, string? Name, string? Sector, string? MarketCapBucket, string Currency, string TimeZone,
    bool IsActive);

/// <summary>The instrument form: add or edit.</summary>
public sealed class InstrumentForm
{
    public long? Id { get; set; }

    [Required(ErrorMessage = "Enter the symbol."), RegularExpression(@"^[A-Za-z0-9.\-^=]{1,20}$", ErrorMessage = "Symbol: letters, digits, '.', '-', '^' or '=', at most 20.")]
    public string Symbol { get; set; } = "";

    [Required(ErrorMessage = "Enter the exchange."), RegularExpression(@"^[A-Za-z0-9]{1,20}$", ErrorMessage = "Exchange: letters and digits, at most 20.")]
    public string Exchange { get; set; } = "NASDAQ";

    [StringLength(255)]
    public string? Name { get; set; }

    [StringLength(100)]
    public string? Sector { get; set; }

    [RegularExpression("^(small|mid|large)$", ErrorMessage = "Market cap: small, mid or large.")]
    public string? MarketCapBucket { get; set; }

    [Required, RegularExpression("^[A-Z]{3}$", ErrorMessage = "Currency: a three-letter ISO code such as USD.")]
    public string Currency { get; set; } = "USD";

    [Required(ErrorMessage = "Enter the exchange's IANA time zone, such as America/New_York.")]
    public string TimeZone { get; set; } = "America/New_York";

    public bool IsActive { get; set; } = true;
}

/// <summary>The admin Data page: coverage, the sync log, and instrument maintenance (audited).</summary>
public sealed class DataAdminService(IDbContextFactory<AppDbContext> factory, AuditService audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<CoverageRow>> CoverageAsync(string? search = null, CancellationToken ct = default)
        => (await CoveragePageAsync(search, nameof(CoverageRow.Symbol), false, 0, int.MaxValue, ct)).Rows;

    /// <summary>
    /// One page of instruments (searched, sorted and paged in SQL; sortable by symbol, exchange or active) with the coverage of
    /// each bar size they have: one row per instrument and bar size. The total counts instruments.
    /// </summary>
    public async Task<(IReadOnlyList<CoverageRow> Rows, int Total)> CoveragePageAsync(string? search, string? sortBy, bool descending, int skip, int take,
        CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var instruments = Search(db.Instruments.AsNoTracking(), search);
        var total = await instruments.CountAsync(ct);
        var list = await Sort(instruments, sortBy, descending).Skip(skip).Take(take)
            .Select(i => new { i.Id, i.Symbol, i.Exchange, i.IsActive, i.TimeZone }).ToListAsync(ct);
        var ids = list.Select(i => i.Id).ToList();
        var stats = await db.PriceBars.AsNoTracking().Where(p => ids.Contains(p.InstrumentId))
            .GroupBy(p => new { p.InstrumentId, p.Interval })
            .Select(g => new { g.Key.InstrumentId, g.Key.Interval, First = g.Min(p => p.Ts), Last = g.Max(p => p.Ts), Count = g.Count() })
            .ToListAsync(ct);

        var rows = new List<CoverageRow>();
        foreach (var i in list)
        {
            var mine = stats.Where(s => s.InstrumentId == i.Id).OrderBy(s => Intervals.All.ToList().IndexOf(s.Interval)).ToList();
            if (mine.Count == 0)
            {
                rows.Add(new CoverageRow(i.Id, i.Symbol, i.Exchange, i.IsActive, "—", null, null, 0, 0));
                continue;
            }
            var calendar = ExchangeCalendar.For(i.Exchange, i.TimeZone);
            foreach (var s in mine)
            {
                var expected = calendar.ExpectedBars(s.Interval, s.First, s.Last).Count();
                rows.Add(new CoverageRow(i.Id, i.Symbol, i.Exchange, i.IsActive, s.Interval, s.First, s.Last, s.Count, Math.Max(0, expected - s.Count)));
            }
        }
        return (rows, total);
    }

    /// <summary>One page of instruments for the admin list: search on symbol or name, sort and paging in SQL.</summary>
    public async Task<(IReadOnlyList<InstrumentRow> Rows, int Total)> InstrumentsPageAsync(string? search, string? sortBy, bool descending, int skip, int take,
        CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var instruments = Search(db.Instruments.AsNoTracking(), search);
        var total = await instruments.CountAsync(ct);
        var rows = await Sort(instruments, sortBy, descending).Skip(skip).Take(Math.Clamp(take, 1, 200))
            .Select(i => new InstrumentRow(i.Id, i.Symbol, i.Exchange, i.Name, i.Sector, i.MarketCapBucket, i.Currency, i.TimeZone, i.IsActive)).ToListAsync(ct);
        return (rows, total);
    }

    private static IQueryable<Instrument> Search(IQueryable<Instrument> instruments, string? search)
    {
        if (string.IsNullOrWhiteSpace(search)) return instruments;
        var term = $"%{search.Trim()}%";
        return instruments.Where(i => EF.Functions.ILike(i.Symbol, term) || EF.Functions.ILike(i.Name ?? "", term));
    }

    private static IQueryable<Instrument> Sort(IQueryable<Instrument> instruments, string? sortBy, bool descending) => (sortBy, descending) switch
    {
        ("Exchange", false) => instruments.OrderBy(i => i.Exchange).ThenBy(i => i.Symbol),
        ("Exchange", true) => instruments.OrderByDescending(i => i.Exchange).ThenBy(i => i.Symbol),
        ("Name", false) => instruments.OrderBy(i => i.Name).ThenBy(i => i.Symbol),
        ("Name", true) => instruments.OrderByDescending(i => i.Name).ThenBy(i => i.Symbol),
        ("IsActive", false) => instruments.OrderBy(i => i.IsActive).ThenBy(i => i.Symbol),
        ("IsActive", true) => instruments.OrderByDescending(i => i.IsActive).ThenBy(i => i.Symbol),
        (_, true) => instruments.OrderByDescending(i => i.Symbol).ThenBy(i => i.Exchange),
        _ => instruments.OrderBy(i => i.Symbol).ThenBy(i => i.Exchange),
    };

    public async Task<(IReadOnlyList<SyncLogRow> Rows, int Total)> SyncLogAsync(string? status, int skip, int take, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var log = db.DataSyncLog.AsNoTracking();
        if (!string.IsNullOrEmpty(status)) log = log.Where(l => l.Status == status);
        var total = await log.CountAsync(ct);
        var rows = await (from l in log
                          join i in db.Instruments on l.InstrumentId equals i.Id
                          orderby l.LastSyncAt descending, l.Id descending
                          select new SyncLogRow(l.Id, i.Symbol, l.Interval, l.LastSyncAt, l.Status, l.BarsFetched, l.TotalBars, l.FirstSyncedTs, l.LastSyncedTs, l.ErrorMessage))
            .Skip(skip).Take(Math.Clamp(take, 1, 200)).ToListAsync(ct);
        return (rows, total);
    }

    public async Task<IReadOnlyList<Instrument>> InstrumentsAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Instruments.AsNoTracking().OrderBy(i => i.Symbol).ThenBy(i => i.Exchange).ToListAsync(ct);
    }

    /// <summary>Adds or updates an instrument. Returns an error message (nothing saved) or null.</summary>
    public async Task<string?> SaveAsync(InstrumentForm form, AuditActor admin, CancellationToken ct = default)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(form, new ValidationContext(form), results, validateAllProperties: true)) return results[0].ErrorMessage;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(form.TimeZone, out _)) return $"Time zone '{form.TimeZone}' is unknown; use an IANA name such as Europe/Paris.";
        var symbol = form.Symbol.Trim().ToUpperInvariant();
        var exchange = form.Exchange.Trim().ToUpperInvariant();
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.Instruments.AnyAsync(i => i.Symbol == symbol && i.Exchange == exchange && i.Id != (form.Id ?? 0), ct))
            return $"{symbol} on {exchange} already exists.";
        var now = clock.GetUtcNow();
        Instrument entity;
        object? before = null;
        if (form.Id is { } id)
        {
            entity = await db.Instruments.SingleOrDefaultAsync(i => i.Id == id, ct) ?? throw new InvalidOperationException($"Instrument {id} no longer exists.");
            before = new { entity.Symbol, entity.Exchange, entity.Name, entity.Sector, entity.MarketCapBucket, entity.Currency, entity.TimeZone, entity.IsActive };
        }
        else
        {
            entity = new Instrument { CreatedAt = now };
            db.Instruments.Add(entity);
        }
        (entity.Symbol, entity.Exchange, entity.Name, entity.Sector) = (symbol, exchange, Blank(form.Name), Blank(form.Sector));
        (entity.MarketCapBucket, entity.Currency, entity.TimeZone, entity.IsActive, entity.UpdatedAt) = (Blank(form.MarketCapBucket), form.Currency, form.TimeZone, form.IsActive, now);
        await db.SaveChangesAsync(ct);
        var after = new { entity.Symbol, entity.Exchange, entity.Name, entity.Sector, entity.MarketCapBucket, entity.Currency, entity.TimeZone, entity.IsActive };
        await audit.WriteAsync(admin, form.Id is null ? AuditActions.InstrumentAdded : AuditActions.InstrumentChanged, "instrument", entity.Id.ToString(),
            changes: new AuditChange(before, after), ct: ct);
        form.Id = entity.Id;
        return null;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
