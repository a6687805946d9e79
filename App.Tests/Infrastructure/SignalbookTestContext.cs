using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;
using Signalbook.Components;
using Signalbook.Data;
using Signalbook.Features.Users;
using Signalbook.Jobs;

namespace Signalbook.Tests.Infrastructure;

/// <summary>
/// The one bUnit context of the component tests: MudBlazor's services (dialogs, snackbars, popovers) as the app
/// registers them, loose JS interop for MudBlazor's own calls (switch to <see cref="StrictJs"/> where our components call
/// JavaScript and the test sets up each call), bUnit's authorization, and, for pages, the app's real feature services
/// over a test database (<see cref="UseDatabase"/>). Pages render inside the same providers as in MainLayout.
/// </summary>
public class SignalbookTestContext : BunitContext, IAsyncLifetime
{
    /// <summary>MudBlazor's services only dispose asynchronously: xunit calls this before <c>Dispose</c>, which then has nothing left to do.</summary>
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>A test class that needs set-up overrides this (for example to open a database).</summary>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>
    /// Pages wait on PostgreSQL (and search boxes on a debounce): on a loaded 2-core machine bUnit's 1 s default failed
    /// good renders. A longer wait only costs time when a test fails anyway.
    /// </summary>
    static SignalbookTestContext() => DefaultWaitTimeout = TimeSpan.FromSeconds(45);

    public SignalbookTestContext()
    {
        Services.AddSignalbookUi();
        Services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>Every JS call must be set up by the test (for components of ours that call JavaScript).</summary>
    public void StrictJs() => JSInterop.Mode = JSRuntimeMode.Strict;

    /// <summary>
    /// Registers the app's feature services (<c>AddSignalbookFeatures</c>) over the harness's database and clock, as the
    /// app does, so a page test drives the real services. Call before signing in (bUnit's authentication state wins).
    /// </summary>
    public void UseDatabase(ServiceHarness harness, IDictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Default"] = harness.ConnectionString, ["Jobs:NodeName"] = "bunit" })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        _configuration = configuration;
        Services.AddSingleton<IConfiguration>(configuration);
        Services.AddSingleton<TimeProvider>(harness.Clock);
        Services.AddHttpContextAccessor();
        Services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(harness.ConnectionString));
        Services.AddSingleton(new DatabaseConnection(harness.ConnectionString));
        Services.AddSignalbookFeatures();
        // The app's revalidating provider reads the session cookie of a request; bUnit's (from SignIn) stands in for it.
        foreach (var d in Services.Where(d => d.ServiceType == typeof(AuthenticationStateProvider) && d.ImplementationType == typeof(SessionRevalidatingStateProvider)).ToList())
        {
            Services.Remove(d);
        }
    }

    private IConfiguration? _configuration;

    /// <summary>
    /// Adds the app's Hangfire set-up (storage in the test database, the jobs service, recurring schedules) for pages that
    /// show or start jobs. No server starts: what a page queues waits in the storage, where a test can read it.
    /// </summary>
    public void UseJobs() => Services.AddSignalbookJobs(_configuration ?? throw new InvalidOperationException("Call UseDatabase before UseJobs."));

    /// <summary>Signs in a user with an id (the NameIdentifier claim pages read), an email and roles.</summary>
    public BunitAuthorizationContext SignIn(Guid userId, string email, params string[] roles)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(email);
        auth.SetRoles(roles);
        // After the roles: bUnit rebuilds the principal on each call and keeps only the claims given last.
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId.ToString()), new Claim(ClaimTypes.Email, email), new Claim("name", email.Split('@')[0]));
        return auth;
    }

    /// <summary>
    /// Renders a page or component after MudBlazor's popover, dialog and snackbar providers (as the layout has them), so
    /// menus, selects, dialogs and snackbars appear: read them through <see cref="Popovers"/>, <see cref="Dialogs"/> and
    /// <see cref="Snackbars"/>.
    /// </summary>
    public IRenderedComponent<TComponent> RenderWithProviders<TComponent>(Action<ComponentParameterCollectionBuilder<TComponent>>? parameters = null)
        where TComponent : IComponent
    {
        Popovers = Render<MudPopoverProvider>();
        Dialogs = Render<MudDialogProvider>();
        Snackbars = Render<MudSnackbarProvider>();
        return parameters is null ? Render<TComponent>() : Render(parameters);
    }

    /// <summary>Where menus and select lists open (after <see cref="RenderWithProviders{TComponent}"/>).</summary>
    public IRenderedComponent<MudPopoverProvider> Popovers { get; private set; } = default!;

    /// <summary>Where dialogs open (after <see cref="RenderWithProviders{TComponent}"/>).</summary>
    public IRenderedComponent<MudDialogProvider> Dialogs { get; private set; } = default!;

    /// <summary>Where snackbars appear (after <see cref="RenderWithProviders{TComponent}"/>).</summary>
    public IRenderedComponent<MudSnackbarProvider> Snackbars { get; private set; } = default!;
}
