using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Signalbook.Features.Audit;
using Signalbook.Features.Email;

namespace Signalbook.Features.Users;

/// <summary>Email confirmation and password reset: Identity's tokens, sent as links through the outbox.</summary>
public sealed class AccountEmails(UserManager<AppUser> users, EmailService email, SessionService sessions, AuditService audit)
{
    public async Task SendConfirmationAsync(AppUser user, string baseUri, CancellationToken ct = default)
    {
        var code = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        var link = $"{baseUri.TrimEnd('/')}/account/confirm-email?userId={user.Id}&code={code}";
        await email.SendAsync(user.Email!, "Confirm your Signalbook email",
            $"""
            Hello {user.Name},

            Confirm your email address to finish creating your Signalbook account:

            {link}
            """, "email-confirmation", ct);
    }

    /// <summary>Sends a new confirmation link when the address belongs to an unconfirmed account; says nothing either way.</summary>
    public async Task ResendConfirmationAsync(string emailAddress, string baseUri, CancellationToken ct = default)
    {
        var user = await users.FindByEmailAsync(emailAddress.Trim());
        if (user is { EmailConfirmed: false, IsDeleted: false }) await SendConfirmationAsync(user, baseUri, ct);
    }

    public async Task<bool> ConfirmAsync(Guid userId, string code, AuditActor actor)
    {
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null || Decode(code) is not { } token) return false;
        var result = await users.ConfirmEmailAsync(user, token);
        await audit.WriteAsync(actor with { UserId = user.Id, Email = user.Email }, AuditActions.EmailConfirmed, "user", user.Id.ToString(), success: result.Succeeded);
        return result.Succeeded;
    }

    /// <summary>
    /// Emails a reset link when the address belongs to an account that may sign in. The caller shows
    /// the same answer whatever happened, so the form does not reveal which addresses have accounts.
    /// </summary>
    public async Task RequestPasswordResetAsync(string emailAddress, string baseUri, AuditActor actor, CancellationToken ct = default)
    {
        var user = await users.FindByEmailAsync(emailAddress.Trim());
        var eligible = user is { IsActive: true, IsDeleted: false, EmailConfirmed: true };
        await audit.WriteAsync(actor with { UserId = eligible ? user!.Id : null, Email = emailAddress }, AuditActions.PasswordResetRequested,
            "user", user?.Id.ToString(), success: eligible, ct: ct);
        if (!eligible) return;
        var code = Encode(await users.GeneratePasswordResetTokenAsync(user!));
        var link = $"{baseUri.TrimEnd('/')}/account/reset-password?email={Uri.EscapeDataString(user!.Email!)}&code={code}";
        await email.SendAsync(user.Email!, "Reset your Signalbook password",
            $"""
            Hello {user.Name},

            Someone (hopefully you) asked to reset your Signalbook password. Choose a new one here:

            {link}

            If it was not you, ignore this email: your password stays as it is.
            """, "password-reset", ct);
    }

    /// <summary>Sets the new password; on success every open session of the account is signed out.</summary>
    public async Task<IReadOnlyList<string>> ResetPasswordAsync(string emailAddress, string code, string newPassword, AuditActor actor)
    {
        var user = await users.FindByEmailAsync(emailAddress.Trim());
        if (user is null || user.IsDeleted || Decode(code) is not { } token) return ["This reset link is not valid. Ask for a new one."];
        var result = await users.ResetPasswordAsync(user, token, newPassword);
        if (!result.Succeeded)
        {
            return result.Errors.Select(e => e.Code == "InvalidToken" ? "This reset link has expired or was already used. Ask for a new one." : e.Description).ToList();
        }
        var revoked = await sessions.RevokeAllAsync(user.Id, actor with { UserId = user.Id }, "password reset");
        await audit.WriteAsync(actor with { UserId = user.Id, Email = user.Email }, AuditActions.PasswordReset, "user", user.Id.ToString(),
            details: new { sessions_revoked = revoked });
        return [];
    }

    private static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    private static string? Decode(string code)
    {
        try { return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code)); }
        catch (FormatException) { return null; }
    }
}
