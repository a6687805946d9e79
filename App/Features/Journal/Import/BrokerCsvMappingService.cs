using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.Journal.Import;

/// <summary>
/// The generic CSV column mappings a trader saved, one per broker name (broker_csv_mappings), so the next file of the
/// same broker is read the same way without mapping its columns again. Scoped to the caller like every journal query.
/// </summary>
public sealed class BrokerCsvMappingService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    public const int MaxBrokerNameLength = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The broker names the caller saved a mapping for, alphabetically.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(JournalCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.BrokerCsvMappings.AsNoTracking().Where(m => m.UserId == caller.UserId).OrderBy(m => m.BrokerName).Select(m => m.BrokerName).ToListAsync(ct);
    }

    /// <summary>The caller's mapping for <paramref name="brokerName"/>, or null when they saved none.</summary>
    public async Task<GenericCsvMapping?> GetAsync(JournalCaller caller, string brokerName, CancellationToken ct = default)
    {
        var name = (brokerName ?? "").Trim();
        await using var db = await factory.CreateDbContextAsync(ct);
        var json = await db.BrokerCsvMappings.AsNoTracking().Where(m => m.UserId == caller.UserId && m.BrokerName == name).Select(m => m.Mapping).SingleOrDefaultAsync(ct);
        return json is null ? null : JsonSerializer.Deserialize<GenericCsvMapping>(json, Json);
    }

    /// <summary>Saves (adds or replaces) the caller's mapping for a broker name.</summary>
    public async Task SaveAsync(JournalCaller caller, string brokerName, GenericCsvMapping mapping, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        ArgumentNullException.ThrowIfNull(mapping);
        var name = (brokerName ?? "").Trim();
        if (name.Length == 0) throw new JournalValidationException("BrokerName", "Name the broker this mapping is for, so you can pick it next time.");
        if (name.Length > MaxBrokerNameLength) throw new JournalValidationException("BrokerName", $"The broker name is {name.Length} characters; at most {MaxBrokerNameLength}.");
        Validate(mapping);

        var json = JsonSerializer.Serialize(mapping, Json);
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await db.BrokerCsvMappings.SingleOrDefaultAsync(m => m.UserId == caller.UserId && m.BrokerName == name, ct);
        if (row is null)
        {
            db.BrokerCsvMappings.Add(new BrokerCsvMapping { UserId = caller.UserId, BrokerName = name, Mapping = json, CreatedAt = now, UpdatedAt = now });
        }
        else
        {
            row.Mapping = json;
            row.UpdatedAt = now;
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The fields every generic CSV needs, named as the mapping form names them.</summary>
    public static void Validate(GenericCsvMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        foreach (var (field, column) in new[] { ("Date", mapping.Date), ("Symbol", mapping.Symbol), ("Side", mapping.Side), ("Quantity", mapping.Quantity), ("Price", mapping.Price) })
        {
            if (string.IsNullOrWhiteSpace(column)) throw new JournalValidationException(field, $"Choose the column that holds the {field.ToLowerInvariant()}.");
        }
        if (mapping.DecimalSeparator is not ("." or ",")) throw new JournalValidationException("DecimalSeparator", "The decimal separator is '.' or ','.");
        if (mapping.BuyValues.Count == 0 || mapping.SellValues.Count == 0)
            throw new JournalValidationException("Side", "List at least one value that means buy and one that means sell.");
        if (mapping.BuyValues.Intersect(mapping.SellValues, StringComparer.OrdinalIgnoreCase).FirstOrDefault() is { } both)
            throw new JournalValidationException("Side", $"'{both}' cannot mean both buy and sell.");
        if (string.IsNullOrWhiteSpace(mapping.DefaultCurrency)) throw new JournalValidationException("DefaultCurrency", "Give a default currency, e.g. USD.");
    }
}
