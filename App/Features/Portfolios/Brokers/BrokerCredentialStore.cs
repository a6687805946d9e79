using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.Portfolios.Brokers;

/// <summary>What the UI may show of a stored key pair: never the key id in full, never the secret.</summary>
public sealed record BrokerCredentialSummary(
    long Id,
    string Plugin,
    string Environment,
    string Label,
    string KeyHint,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>A decrypted key pair, for the broker clients only. <see cref="ToString"/> leaves the secret out, so a log line cannot leak it.</summary>
public sealed record BrokerCredentials(long Id, Guid UserId, string Plugin, string Environment, string KeyId, string Secret)
{
    public override string ToString() => $"BrokerCredentials {{ Id = {Id}, Plugin = {Plugin}, Environment = {Environment}, KeyId = …{BrokerCredentialStore.Hint(KeyId)} }}";
}

/// <summary>A stored key pair that cannot be used (missing for this user, revoked, or undecryptable); the message is for the user.</summary>
public sealed class BrokerCredentialException(string message, Exception? inner = null) : InvalidOperationException(message, inner);

/// <summary>
/// Broker API keys per user, encrypted with ASP.NET Core Data Protection (purpose <see cref="Purpose"/>, sub-purpose the
/// owner's id, so a ciphertext copied onto another user's row does not open). The key id and the secret are encrypted
/// together; only the last four characters of the key id are kept in clear, as the hint. Revoking erases the ciphertext.
/// </summary>
public sealed class BrokerCredentialStore(IDbContextFactory<AppDbContext> factory, IDataProtectionProvider protection, TimeProvider clock,
    ILogger<BrokerCredentialStore> logger)
{
    public const string Purpose = "Signalbook.BrokerCredentials.v1";
    public const int MaxLabelLength = 100;
    public const int MaxKeyLength = 256;

    /// <summary>Stores a key pair and returns what the UI may show of it. Invalid input throws <see cref="ArgumentException"/> naming the field.</summary>
    public async Task<BrokerCredentialSummary> SaveAsync(Guid userId, string plugin, string environment, string label, string keyId, string secret,
        CancellationToken ct = default)
    {
        if (userId == Guid.Empty) throw new ArgumentException("User is missing.", nameof(userId));
        plugin = (plugin ?? "").Trim();
        if (plugin == BrokerPlugins.Paper)
            throw new ArgumentException("Broker 'paper' needs no keys: the paper broker is the app's own matching engine.", nameof(plugin));
        if (!BrokerPlugins.All.Contains(plugin))
            throw new ArgumentException($"Broker '{plugin}' is unknown; keys can be stored for: {string.Join(", ", BrokerPlugins.All.Where(p => p != BrokerPlugins.Paper))}.", nameof(plugin));
        environment = (environment ?? "").Trim();
        if (!BrokerEnvironments.All.Contains(environment))
            throw new ArgumentException($"Environment '{environment}' is unknown: choose paper or live.", nameof(environment));
        keyId = (keyId ?? "").Trim();
        if (keyId.Length == 0) throw new ArgumentException("Key id is empty: paste the API key id from the broker's dashboard.", nameof(keyId));
        if (keyId.Length > MaxKeyLength || keyId.Any(char.IsWhiteSpace))
            throw new ArgumentException($"Key id does not look like an API key id (no spaces, at most {MaxKeyLength} characters).", nameof(keyId));
        secret = (secret ?? "").Trim();
        if (secret.Length == 0) throw new ArgumentException("Secret key is empty: paste the API secret key shown when the key was created.", nameof(secret));
        if (secret.Length > MaxKeyLength || secret.Any(char.IsWhiteSpace))
            throw new ArgumentException($"Secret key does not look like an API secret (no spaces, at most {MaxKeyLength} characters).", nameof(secret));
        var hint = Hint(keyId);
        label = (label ?? "").Trim();
        if (label.Length == 0) label = $"{plugin} {environment} …{hint}";
        if (label.Length > MaxLabelLength) throw new ArgumentException($"Label is {label.Length} characters; at most {MaxLabelLength}.", nameof(label));

        var entity = new BrokerCredential
        {
            UserId = userId,
            Plugin = plugin,
            Environment = environment,
            Label = label,
            KeyHint = hint,
            ProtectedSecret = Protector(userId).Protect(JsonSerializer.Serialize(new Payload(keyId, secret))),
            CreatedAt = clock.GetUtcNow(),
        };
        await using var db = await factory.CreateDbContextAsync(ct);
        db.BrokerCredentials.Add(entity);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Broker credential {Id} ({Plugin} {Environment}, …{Hint}) stored for user {UserId}", entity.Id, plugin, environment, hint, userId);
        return Summary(entity);
    }

    /// <summary>The user's stored keys, newest first, revoked ones last; never a secret.</summary>
    public async Task<IReadOnlyList<BrokerCredentialSummary>> ListAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.BrokerCredentials.AsNoTracking()
            .Where(c => c.UserId == userId)
            .OrderBy(c => c.RevokedAt != null).ThenByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
            .Select(c => new BrokerCredentialSummary(c.Id, c.Plugin, c.Environment, c.Label, c.KeyHint, c.CreatedAt, c.LastUsedAt, c.RevokedAt))
            .ToListAsync(ct);
    }

    /// <summary>One of the user's stored keys, or null if the user has none with this id.</summary>
    public async Task<BrokerCredentialSummary?> FindAsync(Guid userId, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.BrokerCredentials.AsNoTracking()
            .Where(c => c.Id == id && c.UserId == userId)
            .Select(c => new BrokerCredentialSummary(c.Id, c.Plugin, c.Environment, c.Label, c.KeyHint, c.CreatedAt, c.LastUsedAt, c.RevokedAt))
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>
    /// Revokes the user's key pair and erases its ciphertext. False if the user has no key pair with this id (another
    /// user's id included: nothing changes); true if it is revoked now or was already.
    /// </summary>
    public async Task<bool> RevokeAsync(Guid userId, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var entity = await db.BrokerCredentials.SingleOrDefaultAsync(c => c.Id == id && c.UserId == userId, ct);
        if (entity is null) return false;
        if (entity.RevokedAt is not null) return true;
        entity.RevokedAt = clock.GetUtcNow();
        entity.ProtectedSecret = "";
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Broker credential {Id} (…{Hint}) revoked by user {UserId}", id, entity.KeyHint, userId);
        return true;
    }

    /// <summary>
    /// The decrypted key pair, for the order service and the broker factory only (never the UI); marks it used.
    /// Throws <see cref="BrokerCredentialException"/> if the user has no such key pair or it was revoked.
    /// </summary>
    public async Task<BrokerCredentials> OpenAsync(Guid userId, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var entity = await db.BrokerCredentials.SingleOrDefaultAsync(c => c.Id == id && c.UserId == userId, ct)
                     ?? throw new BrokerCredentialException($"Broker keys {id} were not found for this user; add keys in the portfolio's settings.");
        if (entity.RevokedAt is { } revoked)
        {
            throw new BrokerCredentialException(
                $"Broker keys '{entity.Label}' (…{entity.KeyHint}) were revoked on {revoked:yyyy-MM-dd HH:mm} UTC; add new keys and choose them in the portfolio's settings.");
        }
        Payload payload;
        try
        {
            payload = JsonSerializer.Deserialize<Payload>(Protector(userId).Unprotect(entity.ProtectedSecret))
                      ?? throw new JsonException("empty payload");
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException)
        {
            logger.LogError(ex, "Broker credential {Id} of user {UserId} cannot be decrypted", id, userId);
            throw new BrokerCredentialException(
                $"Broker keys '{entity.Label}' (…{entity.KeyHint}) cannot be decrypted (the app's data-protection keys may have changed); enter them again.", ex);
        }
        entity.LastUsedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return new BrokerCredentials(entity.Id, entity.UserId, entity.Plugin, entity.Environment, payload.KeyId, payload.Secret);
    }

    /// <summary>The last four characters of a key id (the whole id if shorter).</summary>
    public static string Hint(string keyId) => keyId.Length <= 4 ? keyId : keyId[^4..];

    private IDataProtector Protector(Guid userId) => protection.CreateProtector(Purpose, userId.ToString("D"));

    private static BrokerCredentialSummary Summary(BrokerCredential c) =>
        new(c.Id, c.Plugin, c.Environment, c.Label, c.KeyHint, c.CreatedAt, c.LastUsedAt, c.RevokedAt);

    private sealed record Payload(string KeyId, string Secret);
}
