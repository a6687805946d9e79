using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Identity;
using Signalbook.Features.Audit;

namespace Signalbook.Features.Users;

public sealed record TwoFactorStatus(bool Enabled, int RecoveryCodesLeft, bool HasAuthenticator);

public sealed record AuthenticatorSetup(string SharedKey, string AuthenticatorUri);

/// <summary>
/// Two-factor sign-in with an authenticator app (TOTP), and its recovery codes. Each call uses a
/// fresh scope, so an interactive page never holds Identity's DbContext between clicks.
/// </summary>
public sealed class TwoFactorService(IServiceScopeFactory scopes, AuditService audit, UrlEncoder urlEncoder)
{
    public const string Issuer = "Signalbook";

    public async Task<TwoFactorStatus> StatusAsync(Guid userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await RequireAsync(users, userId);
        return new TwoFactorStatus(await users.GetTwoFactorEnabledAsync(user), await users.CountRecoveryCodesAsync(user),
            !string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user)));
    }

    /// <summary>The key to enter in the app (and its otpauth URI, for the QR code). Creates one if there is none yet.</summary>
    public async Task<AuthenticatorSetup> SetupAsync(Guid userId, bool newKey = false)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await RequireAsync(users, userId);
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key) || newKey)
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }
        var email = await users.GetEmailAsync(user) ?? user.Id.ToString();
        var uri = $"otpauth://totp/{urlEncoder.Encode(Issuer)}:{urlEncoder.Encode(email)}?secret={key}&issuer={urlEncoder.Encode(Issuer)}&digits=6";
        return new AuthenticatorSetup(FormatKey(key!), uri);
    }

    /// <summary>Turns 2FA on when the code from the app is right; returns the new recovery codes (shown once), or null.</summary>
    public async Task<IReadOnlyList<string>?> EnableAsync(Guid userId, string code, AuditActor actor)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await RequireAsync(users, userId);
        var clean = code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, clean))
        {
            await audit.WriteAsync(actor, AuditActions.TwoFactorEnabled, "user", user.Id.ToString(), success: false, details: new { reason = "wrong code" });
            return null;
        }
        (await users.SetTwoFactorEnabledAsync(user, true)).ThrowIfFailed("turn on two-factor sign-in");
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList();
        await audit.WriteAsync(actor, AuditActions.TwoFactorEnabled, "user", user.Id.ToString(),
            changes: new AuditChange(new { two_factor = false }, new { two_factor = true }));
        return codes;
    }

    /// <summary>
    /// Turns 2FA off and drops the authenticator key. Another write to the user's row between reading and saving it (a
    /// sign-in stamping its time, say) fails Identity's concurrency check; that is retried on a fresh read, and anything
    /// else that stops the change throws, so 2FA is never reported off while it is still on.
    /// </summary>
    public async Task DisableAsync(Guid userId, AuditActor actor)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = await RequireAsync(users, userId);
            var result = await users.SetTwoFactorEnabledAsync(user, false);
            if (result.Succeeded) result = await users.ResetAuthenticatorKeyAsync(user);
            if (result.Succeeded) break;
            if (attempt == MaxAttempts || !IsConcurrencyFailure(result)) result.ThrowIfFailed("turn off two-factor sign-in");
        }
        await audit.WriteAsync(actor, AuditActions.TwoFactorDisabled, "user", userId.ToString(),
            changes: new AuditChange(new { two_factor = true }, new { two_factor = false }));
    }

    public async Task<IReadOnlyList<string>> NewRecoveryCodesAsync(Guid userId, AuditActor actor)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await RequireAsync(users, userId);
        if (!await users.GetTwoFactorEnabledAsync(user)) throw new InvalidOperationException("Two-factor sign-in is off: there are no recovery codes to renew.");
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!.ToList();
        await audit.WriteAsync(actor, AuditActions.RecoveryCodesRenewed, "user", user.Id.ToString());
        return codes;
    }

    /// <summary>"abcd efgh …": the key in groups of four, as authenticator apps show it.</summary>
    public static string FormatKey(string key)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(key.AsSpan(i, Math.Min(4, key.Length - i)));
        }
        return sb.ToString().ToLowerInvariant();
    }

    private const int MaxAttempts = 3;

    private static bool IsConcurrencyFailure(IdentityResult result)
        => result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure));

    private static async Task<AppUser> RequireAsync(UserManager<AppUser> users, Guid userId)
        => await users.FindByIdAsync(userId.ToString()) ?? throw new InvalidOperationException("The user does not exist.");
}
