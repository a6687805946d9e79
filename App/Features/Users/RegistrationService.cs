using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Signalbook.Features.Audit;
using Signalbook.Features.Waitlist;

namespace Signalbook.Features.Users;

public enum RegistrationMode
{
    /// <summary>Anyone may create an account.</summary>
    Open,

    /// <summary>Only visitors holding a waitlist invitation may.</summary>
    InviteOnly,
}

public sealed class RegistrationOptions
{
    public const string Section = "Registration";
    public RegistrationMode Mode { get; set; } = RegistrationMode.InviteOnly;

    /// <summary>The role a new account receives.</summary>
    public string DefaultRole { get; set; } = Roles.Trader;
}

public sealed record RegistrationRequest(string Name, string Email, string Password, string? InviteToken, string? IpAddress,
    string? UserAgent = null, string BaseUri = "/");

public sealed record RegistrationResult(AppUser? User, IReadOnlyList<string> Errors)
{
    public bool Succeeded => User is not null;
    public static RegistrationResult Fail(params string[] errors) => new(null, errors);
}

/// <summary>
/// Creates accounts under the configured registration mode. With an invitation, the invitation is
/// claimed first (atomically, so one link makes one account) and its email is the account's, already
/// confirmed. Without one (open mode) a confirmation link is emailed and sign-in waits for it.
/// </summary>
public sealed class RegistrationService(
    UserManager<AppUser> users,
    WaitlistService waitlist,
    AuditService audit,
    IOptionsMonitor<RegistrationOptions> options,
    AccountEmails emails,
    TimeProvider clock)
{
    public RegistrationMode Mode => options.CurrentValue.Mode;

    public async Task<RegistrationResult> RegisterAsync(RegistrationRequest request, CancellationToken ct = default)
    {
        WaitlistRow? invitation = null;
        var email = request.Email.Trim();
        if (!string.IsNullOrEmpty(request.InviteToken))
        {
            invitation = await waitlist.ClaimInvitationAsync(request.InviteToken, ct);
            if (invitation is null)
            {
                return RegistrationResult.Fail("This invitation link has already been used, has expired or is not valid. Ask for a new one.");
            }
            email = invitation.Email;
        }
        else if (Mode == RegistrationMode.InviteOnly)
        {
            return RegistrationResult.Fail("Signalbook is invitation-only for now: join the waitlist on the home page and we will email you a link.");
        }

        var now = clock.GetUtcNow();
        var user = new AppUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = invitation is not null, // the invitation link proved the address
            Name = request.Name.Trim(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        var created = await users.CreateAsync(user, request.Password);
        if (!created.Succeeded)
        {
            if (invitation is not null) await waitlist.ReleaseClaimAsync(invitation.Id, ct);
            return new RegistrationResult(null, created.Errors.Select(Describe).ToList());
        }
        await users.AddToRoleAsync(user, options.CurrentValue.DefaultRole);
        if (invitation is not null) await waitlist.MarkRegisteredAsync(invitation.Id, user.Id, ct);
        else await emails.SendConfirmationAsync(user, request.BaseUri, ct); // open registration: the address must be proved
        await audit.WriteAsync(new AuditActor(user.Id, user.Email, request.IpAddress, request.UserAgent), AuditActions.Registered, "user", user.Id.ToString(),
            details: new { invited = invitation is not null, role = options.CurrentValue.DefaultRole }, ct: ct);
        return new RegistrationResult(user, []);
    }

    private static string Describe(IdentityError e)
        => e.Code is "DuplicateUserName" or "DuplicateEmail" ? "An account with this email already exists: sign in instead." : e.Description;
}
