using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Signalbook.Data;
using Signalbook.Features.MarketData.Providers;
using Signalbook.Features.MarketData.Providers.Alpaca;

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
        services.AddScoped<Admin.DataAdminService>();
        services.AddSingleton<Admin.UploadFiles>();
        services.AddHostedService<Admin.UploadFolderCleanup>();
        services.AddScoped<InstrumentService>();
        services.AddScoped<PriceBarWriter>();
        services.AddScoped<Import.CsvImportService>();
        services.AddScoped<Import.BulkImportService>();
        services.AddScoped<Indicators.FeatureService>();
        services.AddSingleton<Providers.Demo.DemoProvider>();
        services.AddScoped<MarketsService>();

        services.AddOptions<MarketDataOptions>().BindConfiguration(MarketDataOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AlpacaOptions>().BindConfiguration(AlpacaOptions.Section)
            .Validate<IOptions<MarketDataOptions>>(
                (alpaca, selected) => selected.Value.Provider != "alpaca" || (alpaca.KeyId.Length > 0 && alpaca.SecretKey.Length > 0),
                "MarketData:Provider is alpaca but MarketData:Alpaca:KeyId or MarketData:Alpaca:SecretKey is empty; set both (user secrets or environment).")
            .Validate<IOptions<MarketDataOptions>>(
                (alpaca, selected) => selected.Value.Provider != "alpaca" || System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
                    alpaca, new System.ComponentModel.DataAnnotations.ValidationContext(alpaca), null, validateAllProperties: true),
                "MarketData:Alpaca has an invalid value (URLs, Feed iex|sip, Adjustment, MaxRequestsPerMinute, MaxRetries or backoff out of range).")
            .ValidateOnStart();
        services.AddSingleton<AlpacaRateLimiter>();
        services.AddSingleton<AlpacaAssetCache>();
        services.AddHttpClient<AlpacaProvider>(http => http.Timeout = Timeout.InfiniteTimeSpan); // per-request timeouts are the provider's
        services.AddTransient<IMarketDataProvider>(sp => sp.GetRequiredService<IOptions<MarketDataOptions>>().Value.Provider switch
        {
            "alpaca" => sp.GetRequiredService<AlpacaProvider>(),
            _ => sp.GetRequiredService<Providers.Demo.DemoProvider>(),
        });
        services.AddScoped<Sync.MarketDataSyncService>();
        services.AddScoped<Sync.RetentionService>();
        return services;
    }
}
