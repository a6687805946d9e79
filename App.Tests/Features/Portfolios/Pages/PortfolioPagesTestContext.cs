using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Portfolios.Service;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Portfolios.Pages;

/// <summary>
/// bUnit over the real services and a fresh test database per test (<see cref="PortfolioPagesHarness"/>), with the
/// recording scheduler the trading service needs, and the few ways a test types, picks and reads what MudBlazor renders.
/// </summary>
public abstract class PortfolioPagesTestContext : SignalbookTestContext, IAsyncLifetime
{
    protected PortfolioPagesHarness Data { get; } = new();

    public override async Task InitializeAsync()
    {
        await Data.InitializeAsync();
        UseDatabase(Data);
        Services.AddSingleton<ITradingServiceScheduler>(Data.Scheduler);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Data.DisposeAsync();
    }

    /// <summary>Signs in with the id and email claims the pages read, set after the roles (bUnit rebuilds the principal on SetRoles).</summary>
    protected void SignInAs(Guid userId, string email, params string[] roles)
    {
        // bUnit adds authorization once per context; signing in someone else later reuses it.
        if (_auth is null)
        {
            _auth = SignIn(userId, email, roles);
        }
        else
        {
            _auth.SetAuthorized(email);
            _auth.SetRoles(roles);
        }
        _auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId.ToString()), new Claim(ClaimTypes.Email, email));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private BunitAuthorizationContext? _auth;

    /// <summary>The input of a MudBlazor text or numeric field (the data-testid lands on the input).</summary>
    protected static IElement Input(IRenderedComponent<IComponent> cut, string testId)
        => cut.Find($"input[data-testid='{testId}'], textarea[data-testid='{testId}'], [data-testid='{testId}'] input");

    /// <summary>What a field says under it (helper or error text), with its label.</summary>
    protected static string FieldText(IRenderedComponent<IComponent> cut, string testId) => Input(cut, testId).Closest(".mud-input-control")!.TextContent;

    /// <summary>Types into a field and leaves it (the change event), in one turn of the renderer, its handlers awaited.</summary>
    protected static Task TypeAsync(IRenderedComponent<IComponent> cut, string testId, string text) => cut.InvokeAsync(async () =>
    {
        // Awaited: the field's handlers (and what they start) finish before the test's next event, on any machine.
        var input = Input(cut, testId);
        try
        {
            await input.ChangeAsync(new ChangeEventArgs { Value = text });
        }
        catch (MissingEventHandlerException)
        {
            await input.InputAsync(new ChangeEventArgs { Value = text }); // an Immediate field listens to input, not change
        }
    });

    protected static Task ClickAsync(IRenderedComponent<IComponent> cut, string selector) => cut.InvokeAsync(() => cut.Find(selector).Click());

    /// <summary>Opens a MudSelect (by its data-testid) and picks the option with this text.</summary>
    protected void Choose(IRenderedComponent<IComponent> cut, string testId, string option)
    {
        cut.Find($"[data-testid='{testId}']").Closest(".mud-select")!.MouseDown();
        Popovers.WaitForElements(".mud-list-item").First(e => e.TextContent.Trim() == option).Click();
    }

    /// <summary>Clicks a tab of MudTabs by its text.</summary>
    protected static Task TabAsync(IRenderedComponent<IComponent> cut, string text)
        => cut.InvokeAsync(() => cut.FindAll(".mud-tab").First(t => t.TextContent.Trim() == text).Click());

    /// <summary>Confirms the open ConfirmDialog.</summary>
    protected async Task ConfirmAsync(string title)
    {
        Dialogs.WaitForAssertion(() => Assert.Contains(Dialogs.FindAll(".mud-dialog"), d => d.TextContent.Contains(title, StringComparison.Ordinal)));
        await Dialogs.InvokeAsync(() => Dialogs.Find("[data-testid=confirm-ok]").Click());
    }
}
