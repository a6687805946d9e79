using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.MarketData;

/// <summary>Instruments: find or create by symbol and exchange.</summary>
public sealed class InstrumentService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
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
}

public static class MarketDataSetup
{
    public static IServiceCollection AddSignalbookMarketData(this IServiceCollection services)
    {
        services.AddScoped<InstrumentService>();
        services.AddScoped<PriceBarWriter>();
        services.AddScoped<Import.CsvImportService>();
        services.AddScoped<Indicators.FeatureService>();
        return services;
    }
}
