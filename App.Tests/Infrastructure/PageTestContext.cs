using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Signalbook.Features.Users;

namespace Signalbook.Tests.Infrastructure;

/// <summary>
/// A bUnit context for one page over its own test database: the app's real services (UseDatabase) with a manual clock,
/// and the bootstrapped admin signed in unless a test signs in someone else.
/// </summary>
public abstract class PageTestContext : SignalbookTestContext, IAsyncLifetime
{
    protected ServiceHarness Db { get; } = new();

    protected AppUser Admin { get; private set; } = default!;

    public override async Task InitializeAsync()
    {
        await Db.InitializeAsync();
        UseDatabase(Db);
        Admin = await Db.AdminAsync();
    }

    protected void SignInAdmin() => SignInAs(Admin, [Roles.Admin]);

    /// <summary>
    /// Signs a user in with the claims pages read (id, email, and the sign-in session when given). The claims are set
    /// after the roles: in bUnit 2.15 <c>SetRoles</c> rebuilds the principal without the claims set before it.
    /// </summary>
    protected void SignInAs(AppUser user, string[] roles, Guid? sessionId = null)
    {
        var auth = SignIn(user.Id, user.Email!, roles);
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, user.Id.ToString()), new(ClaimTypes.Email, user.Email!) };
        if (sessionId is { } sid) claims.Add(new Claim(SignalbookSignInManager.SessionClaim, sid.ToString()));
        auth.SetClaims([.. claims]);
    }

    /// <summary>
    /// Finds and acts in one turn of the renderer: a grid that re-renders between a Find and a Click would otherwise
    /// leave the test holding a stale event handler.
    /// </summary>
    protected static Task ActAsync<T>(IRenderedComponent<T> cut, string selector, Action<IElement> act) where T : IComponent
        => cut.InvokeAsync(() => act(cut.Find(selector)));

    protected static Task ClickAsync<T>(IRenderedComponent<T> cut, string selector) where T : IComponent
        => ActAsync(cut, selector, e => e.Click());

    /// <summary>The input or textarea of a field, found by its data-testid.</summary>
    protected static IElement Field<T>(IRenderedComponent<T> cut, string testId) where T : IComponent
        => cut.Find($"input[data-testid='{testId}'], textarea[data-testid='{testId}'], [data-testid='{testId}'] input, [data-testid='{testId}'] textarea");

    /// <summary>Types into a field in one turn of the renderer, its handlers awaited.</summary>
    protected static Task TypeAsync<T>(IRenderedComponent<T> cut, string testId, string text) where T : IComponent => cut.InvokeAsync(async () =>
    {
        // Awaited: the field's handlers (and what they start) finish before the test's next event, on any machine.
        var input = Field(cut, testId);
        // Input (what an Immediate field listens to), then change (what commits any other field's text), each if handled.
        var handled = false;
        try
        {
            await input.InputAsync(new ChangeEventArgs { Value = text });
            handled = true;
        }
        catch (MissingEventHandlerException)
        {
        }
        try
        {
            await input.ChangeAsync(new ChangeEventArgs { Value = text });
        }
        catch (MissingEventHandlerException) when (handled)
        {
        }
    });

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Db.DisposeAsync();
    }
}
