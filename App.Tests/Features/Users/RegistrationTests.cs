using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Users;
using Signalbook.Features.Waitlist;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Users;

public sealed class RegistrationTests : ServiceHarness
{
    private const string Password = "Fresh-Trader-77";

    private async Task<RegistrationResult> RegisterAsync(string name, string email, string password, string? token)
    {
        await using var scope = Scope();
        return await scope.ServiceProvider.GetRequiredService<RegistrationService>()
            .RegisterAsync(new RegistrationRequest(name, email, password, token, "192.0.2.1"));
    }

    private async Task<string> InviteAsync(string email)
    {
        await using var scope = Scope();
        var waitlist = scope.ServiceProvider.GetRequiredService<WaitlistService>();
        await waitlist.JoinAsync("Invitee", email, null, "192.0.2.50");
        await using var db = await DbAsync();
        var id = (await db.Waitlist.SingleAsync(w => w.Email == email)).Id;
        var invitation = await waitlist.ApproveAsync(id, ActorOf(await AdminAsync()), "http://localhost/");
        return invitation!.Link.Split("invite=")[1];
    }

    [Fact]
    public async Task InviteOnly_WithoutInvitation_IsRefusedWithAnExplanation()
    {
        var result = await RegisterAsync("Nobody", "nobody@example.com", Password, null);
        Assert.False(result.Succeeded);
        Assert.Contains("invitation-only", Assert.Single(result.Errors));
    }

    [Fact]
    public async Task Invitation_CreatesTraderWithTheInvitedEmail_AndWorksOnlyOnce()
    {
        var token = await InviteAsync("ines@example.com");
        var result = await RegisterAsync("Ines", "someone-else@example.com", Password, token);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors));
        Assert.Equal("ines@example.com", result.User!.Email); // the invitation decides the address

        await using (var scope = Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = await users.FindByEmailAsync("ines@example.com");
            Assert.True(await users.IsInRoleAsync(user!, Roles.Trader));
            Assert.True(user!.EmailConfirmed);
        }
        await using (var db = await DbAsync())
        {
            var entry = await db.Waitlist.SingleAsync(w => w.Email == "ines@example.com");
            Assert.Equal(WaitlistStatus.Registered, entry.Status);
            Assert.Equal(result.User.Id, entry.RegisteredUserId);
        }

        var again = await RegisterAsync("Ines again", "ines2@example.com", Password, token);
        Assert.False(again.Succeeded);
        Assert.Contains("already been used", Assert.Single(again.Errors));
    }

    [Fact]
    public async Task Invitation_WithWeakPassword_FailsAndStaysUsable()
    {
        var token = await InviteAsync("jonas@example.com");
        var weak = await RegisterAsync("Jonas", "jonas@example.com", "short", token);
        Assert.False(weak.Succeeded);
        Assert.NotEmpty(weak.Errors);
        var ok = await RegisterAsync("Jonas", "jonas@example.com", Password, token);
        Assert.True(ok.Succeeded, string.Join(" ", ok.Errors));
    }
}

public sealed class OpenRegistrationTests : ServiceHarness
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Registration:Mode"] = "Open",
    };

    [Fact]
    public async Task OpenMode_WithoutInvitation_CreatesAnUnconfirmedTrader_AndRefusesADuplicate()
    {
        await using var scope = Scope();
        var registration = scope.ServiceProvider.GetRequiredService<RegistrationService>();
        var first = await registration.RegisterAsync(new RegistrationRequest("Kemi", "kemi@example.com", "Open-Sesame-42", null, null));
        Assert.True(first.Succeeded, string.Join(" ", first.Errors));
        Assert.False(first.User!.EmailConfirmed);
        var duplicate = await registration.RegisterAsync(new RegistrationRequest("Kemi 2", "KEMI@example.com", "Open-Sesame-42", null, null));
        Assert.False(duplicate.Succeeded);
        Assert.Contains(duplicate.Errors, e => e.Contains("already exists", StringComparison.Ordinal));
    }
}
