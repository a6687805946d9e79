using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Data;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Http;

/// <summary>Password reset and two-factor sign-in, end to end over HTTP with the real forms.</summary>
public sealed class IdentityFlowTests(AppFactory app) : IClassFixture<AppFactory>
{
    private async Task<AppUser> NewUserAsync(string email, string password)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, Name = "Flow", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        Assert.True((await users.CreateAsync(user, password)).Succeeded);
        await users.AddToRoleAsync(user, Roles.Trader);
        return user;
    }

    [Fact]
    public async Task ForgotPassword_EmailsALink_ResetChangesThePassword_AndSignsOutEverySession()
    {
        const string email = "reset.me@example.com";
        await NewUserAsync(email, "Original-Pass-1");
        var oldSession = await app.SignedInAsync(email, "Original-Pass-1");

        var anonymous = app.Browser();
        var sent = await AppFactory.SubmitAsync(anonymous, "/account/forgot-password", "forgot", new Dictionary<string, string> { ["Input.Email"] = email });
        Assert.Contains("If an account exists for that address", await sent.Content.ReadAsStringAsync());
        var link = AppFactory.LinkIn(await app.LastEmailToAsync(email), "/account/reset-password");

        var reset = await AppFactory.SubmitAsync(anonymous, link, "reset", new Dictionary<string, string>
        {
            ["Input.Password"] = "Brand-New-Pass-2",
            ["Input.ConfirmPassword"] = "Brand-New-Pass-2",
        });
        Assert.Contains("Your password is changed", await reset.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Redirect, (await oldSession.GetAsync("/app")).StatusCode); // signed out everywhere
        await app.SignedInAsync(email, "Brand-New-Pass-2");
        var again = await AppFactory.SubmitAsync(app.Browser(), link, "reset", new Dictionary<string, string>
        {
            ["Input.Password"] = "Third-Pass-3333",
            ["Input.ConfirmPassword"] = "Third-Pass-3333",
        });
        Assert.Contains("expired or was already used", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ForgotPassword_ForAnUnknownAddress_GivesTheSameAnswer_AndSendsNothing()
    {
        var response = await AppFactory.SubmitAsync(app.Browser(), "/account/forgot-password", "forgot",
            new Dictionary<string, string> { ["Input.Email"] = "nobody.here@example.com" });
        Assert.Contains("If an account exists for that address", await response.Content.ReadAsStringAsync());
        await using var scope = app.Services.CreateAsyncScope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        Assert.False(await db.EmailOutbox.AnyAsync(m => m.ToAddress == "nobody.here@example.com"));
    }

    [Fact]
    public async Task TwoFactor_AfterEnabling_SignInAsksForTheCode_AndAcceptsTheAppsCode()
    {
        const string email = "two.factor@example.com";
        const string password = "Two-Factor-Pass-9";
        var user = await NewUserAsync(email, password);
        IReadOnlyList<string> recovery;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var twoFactor = scope.ServiceProvider.GetRequiredService<TwoFactorService>();
            var setup = await twoFactor.SetupAsync(user.Id);
            Assert.StartsWith("otpauth://totp/Signalbook:two.factor@example.com?secret=", setup.AuthenticatorUri);
            Assert.EndsWith("&issuer=Signalbook&digits=6", setup.AuthenticatorUri);
            Assert.Null(await twoFactor.EnableAsync(user.Id, "000000", new(user.Id, email, null)));
            recovery = (await twoFactor.EnableAsync(user.Id, Totp.Code(setup.SharedKey, DateTimeOffset.UtcNow), new(user.Id, email, null)))!;
            Assert.Equal(10, recovery.Count);
        }

        var client = app.Browser();
        var login = await AppFactory.SubmitAsync(client, "/account/login", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var challenge = AppFactory.Path(login.Headers.Location);
        Assert.StartsWith("/account/login-2fa", challenge, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/app")).StatusCode); // not signed in yet

        var wrong = await AppFactory.SubmitAsync(client, challenge, "login-2fa", new Dictionary<string, string> { ["Input.Code"] = "123456" });
        Assert.Contains("That code is not right", await wrong.Content.ReadAsStringAsync());

        string key;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            key = (await users.GetAuthenticatorKeyAsync((await users.FindByEmailAsync(email))!))!;
        }
        var right = await AppFactory.SubmitAsync(client, challenge, "login-2fa", new Dictionary<string, string> { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/app", AppFactory.Path(right.Headers.Location));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app")).StatusCode);

        // A recovery code works once, on another device.
        var phone = app.Browser();
        var phoneLogin = await AppFactory.SubmitAsync(phone, "/account/login", "login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });
        var recoveryPage = "/account/login-recovery?returnUrl=%2Fapp";
        Assert.StartsWith("/account/login-2fa", AppFactory.Path(phoneLogin.Headers.Location), StringComparison.Ordinal);
        var used = await AppFactory.SubmitAsync(phone, recoveryPage, "login-recovery", new Dictionary<string, string> { ["Input.Code"] = recovery[0] });
        Assert.Equal(HttpStatusCode.Redirect, used.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("/app")).StatusCode);
    }
}

/// <summary>The app in open-registration mode.</summary>
public sealed class OpenModeAppFactory : AppFactory
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("Registration:Mode", "Open")];
}

public sealed class OpenRegistrationFlowTests(OpenModeAppFactory app) : IClassFixture<OpenModeAppFactory>
{
    [Fact]
    public async Task OpenRegistration_NeedsTheEmailConfirmed_BeforeSignIn()
    {
        const string email = "open.user@example.com";
        const string password = "Open-User-Pass-5";
        var client = app.Browser();
        var registered = await AppFactory.SubmitAsync(client, "/account/register", "register", new Dictionary<string, string>
        {
            ["Input.Name"] = "Open User",
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });
        Assert.Contains("We sent a confirmation link", await registered.Content.ReadAsStringAsync());

        var early = await AppFactory.SubmitAsync(client, "/account/login", "login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        Assert.Contains("Confirm your email address first", await early.Content.ReadAsStringAsync());

        var link = AppFactory.LinkIn(await app.LastEmailToAsync(email), "/account/confirm-email");
        Assert.Contains("your email address is confirmed", await client.GetStringAsync(link));
        await app.SignedInAsync(email, password);
    }
}
