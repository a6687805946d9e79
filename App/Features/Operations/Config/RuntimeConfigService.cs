using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Features.Users;

namespace Signalbook.Features.Operations.Config;

/// <summary>Where a setting's effective value comes from, highest layer first.</summary>
public enum SettingSource
{
    /// <summary>config_entries, set on Admin → Settings.</summary>
    Database,
    CommandLine,
    Environment,
    /// <summary>A JSON file (appsettings.json, appsettings.{Environment}.json).</summary>
    File,
    /// <summary>Set in code (tests, the resolved connection string).</summary>
    Memory,
    /// <summary>No layer sets it: the options class's default.</summary>
    Default,
}

public sealed record SettingRow(RuntimeSetting Setting, string? Value, SettingSource Source, string SourceDetail, string? BelowValue,
    SettingSource BelowSource, DateTimeOffset? UpdatedAt, string? UpdatedBy)
{
    public string Key => Setting.Key;
}

public sealed record SettingChange(long Id, DateTimeOffset OccurredAt, string? ActorEmail, string Action, string? Before, string? After);

public sealed record SettingResult(bool Succeeded, IReadOnlyList<string> Errors, string? Value = null)
{
    public static SettingResult Fail(params string[] errors) => new(false, errors);
}

public static class ConfigAuditActions
{
    public const string Changed = "config.changed";
    public const string Reset = "config.reset";
}

/// <summary>
/// Admin → Settings: every runtime setting with its effective value and the layer it comes from; setting one (validated
/// with the same validators as at start, then written to config_entries with an audit row of before and after and a
/// <see cref="PgTopics.Config"/> event, all in one transaction, so every node reloads) and resetting one to the value of
/// the layers below (the entry deleted, audited likewise). Admins only; a refused or invalid change writes nothing.
/// </summary>
public sealed class RuntimeConfigService(IDbContextFactory<AppDbContext> factory, IConfiguration configuration, RuntimeSettingsRegistry registry,
    IServiceProvider services, TimeProvider clock, ILogger<RuntimeConfigService> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public IReadOnlyList<RuntimeSetting> Settings => registry.All;

    public async Task<IReadOnlyList<SettingRow>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var keys = registry.All.Select(s => s.Key).ToList();
        var entries = await db.Set<ConfigEntry>().AsNoTracking()
            .GroupJoin(db.Users, e => e.UpdatedBy, u => u.Id, (e, u) => new { e, u })
            .SelectMany(x => x.u.DefaultIfEmpty(), (x, u) => new { x.e.Key, x.e.UpdatedAt, Email = u == null ? null : u.Email })
            .ToListAsync(ct);
        var byKey = entries.ToDictionary(e => e.Key, StringComparer.OrdinalIgnoreCase);
        return registry.All.Select(setting =>
        {
            var (value, source, detail) = Effective(setting, includeDatabase: true);
            var (below, belowSource, _) = Effective(setting, includeDatabase: false);
            byKey.TryGetValue(setting.Key, out var entry);
            return new SettingRow(setting, value, source, detail, below, belowSource,
                source == SettingSource.Database ? entry?.UpdatedAt : null, source == SettingSource.Database ? entry?.Email : null);
        }).ToList();
    }

    /// <summary>The value in force and its layer: the highest configuration provider that has the key, else the default.</summary>
    public (string? Value, SettingSource Source, string Detail) Effective(RuntimeSetting setting, bool includeDatabase = true)
    {
        if (configuration is IConfigurationRoot root)
        {
            foreach (var provider in root.Providers.Reverse())
            {
                if (!includeDatabase && provider is DatabaseConfigurationProvider) continue;
                if (Find(provider, setting.Key, includeDatabase) is { } hit) return hit;
            }
        }
        else if (configuration[setting.Key] is { } plain)
        {
            return (plain, SettingSource.Memory, "configuration");
        }
        return (setting.Default, SettingSource.Default, "default");
    }

    private static (string?, SettingSource, string)? Find(IConfigurationProvider provider, string key, bool includeDatabase)
    {
        if (provider is ChainedConfigurationProvider { Configuration: IConfigurationRoot inner })
        {
            foreach (var p in inner.Providers.Reverse())
            {
                if (!includeDatabase && p is DatabaseConfigurationProvider) continue;
                if (Find(p, key, includeDatabase) is { } hit) return hit;
            }
            return null;
        }
        if (!provider.TryGet(key, out var value)) return null;
        return provider switch
        {
            DatabaseConfigurationProvider => (value, SettingSource.Database, "database (Admin → Settings)"),
            JsonConfigurationProvider json => (value, SettingSource.File, json.Source.Path ?? "JSON file"),
            EnvironmentVariablesConfigurationProvider => (value, SettingSource.Environment, "environment variable " + key.Replace(":", "__")),
            CommandLineConfigurationProvider => (value, SettingSource.CommandLine, "command line"),
            MemoryConfigurationProvider => (value, SettingSource.Memory, "in-memory configuration"),
            _ => (value, SettingSource.Memory, provider.ToString() ?? provider.GetType().Name),
        };
    }

    /// <summary>Validates a proposed value without writing anything.</summary>
    public SettingResult Validate(string key, string? value)
    {
        var setting = registry.Find(key);
        if (setting is null) return SettingResult.Fail($"'{key}' is not a runtime setting; the ones that can change at run time are listed on Admin → Settings.");
        var (normalised, errors) = setting.Validate(value, configuration, services);
        return errors.Count > 0 ? new SettingResult(false, errors) : new SettingResult(true, [], normalised);
    }

    public async Task<SettingResult> SetAsync(AuditActor actor, string key, string? value, CancellationToken ct = default)
    {
        if (!await IsAdminAsync(actor, ct)) return SettingResult.Fail("Only admins can change runtime settings.");
        var setting = registry.Find(key);
        if (setting is null) return SettingResult.Fail($"'{key}' is not a runtime setting; the ones that can change at run time are listed on Admin → Settings.");
        var check = Validate(setting.Key, value);
        if (!check.Succeeded) return check;

        var (before, beforeSource, _) = Effective(setting);
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO config_entries (key, value, updated_at, updated_by) VALUES ({setting.Key}, {check.Value!}, {now}, {actor.UserId})
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """, ct);
        db.AuditLogs.Add(Audit(actor, ConfigAuditActions.Changed, setting.Key, now, before, check.Value, new { from = beforeSource.ToString().ToLowerInvariant() }));
        await db.SaveChangesAsync(ct);
        await PgEventBus.PublishAsync((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction(), PgTopics.Config, new { key = setting.Key }, ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Runtime setting {Key} changed from {Before} to {After} by {Actor}", setting.Key, before, check.Value, actor.Email);
        ReloadHere();
        return check;
    }

    /// <summary>Removes the admin's value, so the layers below (files, environment, default) apply again.</summary>
    public async Task<SettingResult> ResetAsync(AuditActor actor, string key, CancellationToken ct = default)
    {
        if (!await IsAdminAsync(actor, ct)) return SettingResult.Fail("Only admins can change runtime settings.");
        var setting = registry.Find(key);
        if (setting is null) return SettingResult.Fail($"'{key}' is not a runtime setting.");
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var entry = await db.Set<ConfigEntry>().SingleOrDefaultAsync(e => e.Key == setting.Key, ct);
        if (entry is null) return SettingResult.Fail($"{setting.Key} has no value set on Admin → Settings; nothing to reset.");
        var (below, _, _) = Effective(setting, includeDatabase: false);
        var now = clock.GetUtcNow();
        db.Remove(entry);
        db.AuditLogs.Add(Audit(actor, ConfigAuditActions.Reset, setting.Key, now, entry.Value, below, null));
        await db.SaveChangesAsync(ct);
        await PgEventBus.PublishAsync((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction(), PgTopics.Config, new { key = setting.Key }, ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Runtime setting {Key} reset to {Value} by {Actor}", setting.Key, below, actor.Email);
        ReloadHere();
        return new SettingResult(true, [], below);
    }

    /// <summary>The changes and resets of a setting, newest first, from the audit log.</summary>
    public async Task<IReadOnlyList<SettingChange>> HistoryAsync(AuditActor actor, string key, int take = 50, CancellationToken ct = default)
    {
        if (!await IsAdminAsync(actor, ct)) return [];
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.AuditLogs.AsNoTracking()
            .Where(a => a.ResourceType == "config" && a.ResourceId == key && (a.Action == ConfigAuditActions.Changed || a.Action == ConfigAuditActions.Reset))
            .OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id).Take(take)
            .Select(a => new { a.Id, a.OccurredAt, a.ActorEmail, a.Action, a.Changes }).ToListAsync(ct);
        return rows.Select(r =>
        {
            string? before = null, after = null;
            if (r.Changes is { } changes)
            {
                using var doc = JsonDocument.Parse(changes);
                before = Text(doc.RootElement, "before");
                after = Text(doc.RootElement, "after");
            }
            return new SettingChange(r.Id, r.OccurredAt, r.ActorEmail, r.Action, before, after);
        }).ToList();
    }

    private static string? Text(JsonElement root, string name)
        => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null;

    /// <summary>This node sees its own change at once; the event makes the other nodes (and this one, again) reload.</summary>
    private void ReloadHere()
    {
        try
        {
            configuration.DatabaseProvider()?.Reload();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Reloading the runtime configuration failed");
        }
    }

    private async Task<bool> IsAdminAsync(AuditActor actor, CancellationToken ct)
    {
        if (actor.UserId is not { } id) return false;
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.UserRoles.Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .AnyAsync(x => x.UserId == id && x.Name == Roles.Admin, ct)
            && await db.Users.AnyAsync(u => u.Id == id, ct);
    }

    private static AuditLog Audit(AuditActor actor, string action, string key, DateTimeOffset now, string? before, string? after, object? details) => new()
    {
        OccurredAt = now,
        UserId = actor.UserId,
        ActorEmail = actor.Email,
        IpAddress = actor.IpAddress is { Length: > 45 } ip ? ip[..45] : actor.IpAddress,
        UserAgent = actor.UserAgent is { Length: > 512 } ua ? ua[..512] : actor.UserAgent,
        Action = action,
        ResourceType = "config",
        ResourceId = key,
        Success = true,
        Changes = JsonSerializer.Serialize(new { before, after }, Json),
        Details = details is null ? null : JsonSerializer.Serialize(details, Json),
    };
}
