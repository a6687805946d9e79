using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.MarketData;

/// <summary>Instruments: find or create by symbol and exchange.</summary>
public sealed class InstrumentService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    /// <summary>Finds or creates an instrument from a provider's description, filling its name, sector and size bucket.</summary>
    public async Task<long> EnsureAsync(Providers.SymbolInfo info, CancellationToken ct = default)
    {
        var id = await EnsureAsync(info.Symbol, info.Exchange, info.TimeZone, info.Name, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Instruments.Where(i => i.Id == id && i.Sector == null).ExecuteUpdateAsync(u => u
            .SetProperty(i => i.Sector, info.Sector)
            .SetProperty(i => i.MarketCapBucket, info.MarketCapBucket)
            .SetProperty(i => i.Name, info.Name), ct);
        return id;
    }

    public async Task<long> EnsureAsync(string symbol, string exchange, string timeZone = "America/New_York", string? name = null, CancellationToken ct = default)
    {
        symbol = symbol.Trim().ToUpperInvariant();
        exchange = exchange.Trim().ToUpperInvariant();
        _ = TimeZoneInfo.FindSystemTimeZoneById(timeZone); // refuse an unknown zone here, with the runtime's message
        await using var db = await factory.CreateDbContextAsync(ct);
        var existing = await db.Instruments.Where(i => i.Symbol == symbol && i.Exchange == exchange).Select(i => (long?)i.Id).SingleOrDefaultAsync(ct);
        if (existing is { } id) return id;
        var now = clock.GetUtcNow();
        var instrument = new Instrument { Symbol = symbol, Exchange = exchange, TimeZone = timeZone, Name = name, CreatedAt = now, UpdatedAt = now };
        db.Instruments.Add(instrument);
        await db.SaveChangesAsync(ct);
        return instrument.Id;
    }

    /// <summary>Id and symbol of every active instrument, by symbol: what the background jobs walk over.</summary>
    public async Task<IReadOnlyList<(long Id, string Symbol)>> ActiveIdsAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Instruments.AsNoTracking().Where(i => i.IsActive).OrderBy(i => i.Symbol).ThenBy(i => i.Exchange)
            .Select(i => new { i.Id, i.Symbol }).ToListAsync(ct);
        return rows.Select(r => (r.Id, r.Symbol)).ToList();
    }
}

public static class MarketDataSetup
{
    public static IServiceCollection AddSignalbookMarketData(this IServiceCollection services)
    {
        services.AddScoped<InstrumentService>();
        services.AddScoped<PriceBarWriter>();
        services.AddScoped<Import.CsvImportService>();
        services.AddScoped<Indicators.FeatureService>();
        services.AddSingleton<Providers.Demo.DemoProvider>();
        services.AddScoped<MarketsService>();
        return services;
    }
}
