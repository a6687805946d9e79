using System.Security.Claims;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;
using Radzen;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;
using Signalbook.Features.Recommendations;
using Signalbook.Features.Users;

namespace Signalbook.Tests.Features.Recommendations;

/// <summary>The recommendation components rendered with Blazor's HtmlRenderer over the real services and database, as a signed-in user.</summary>
public sealed class RecommendationComponentTests : RecommendationsHarness
{
    private async Task<IDocument> RenderAsync<TComponent>(Guid userId, IDictionary<string, object?> parameters) where TComponent : IComponent
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRadzenComponents();
        services.AddSingleton<IJSRuntime, NoJs>();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(ConnectionString));
        services.AddScoped<AuditService>().AddScoped<MarketsService>().AddScoped<ModelDataStore>().AddSignalbookRecommendations();
        services.AddSingleton<AuthenticationStateProvider>(new SignedIn(userId));
        services.AddScoped<CurrentUser>();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, provider.GetRequiredService<ILoggerFactory>());
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
        return new HtmlParser().ParseDocument($"<html><body>{html}</body></html>");
    }

    private static RenderFragment Content => b =>
    {
        b.OpenElement(0, "p");
        b.AddAttribute(1, "data-testid", "secret-content");
        b.AddContent(2, "recommendations here");
        b.CloseElement();
    };

    [Fact]
    public async Task Gate_BeforeAcceptance_ShowsTheDisclosureAndNotTheContent_AfterAcceptance_OnlyTheContent()
    {
        var user = await CreateUserAsync("gate@test.local");
        var before = await RenderAsync<RiskDisclosureGate>(user.Id, new Dictionary<string, object?> { [nameof(RiskDisclosureGate.ChildContent)] = Content });
        var disclosure = before.QuerySelector("[data-testid=risk-disclosure]");
        Assert.NotNull(disclosure);
        Assert.Contains("Not financial advice", disclosure.TextContent);
        Assert.Contains("out of sample", disclosure.TextContent);
        Assert.Contains("No directional edge is guaranteed", disclosure.TextContent);
        Assert.Contains("I understand and accept", before.QuerySelector("[data-testid=accept-disclosure]")!.TextContent);
        Assert.Null(before.QuerySelector("[data-testid=secret-content]"));

        await Recs(s => s.AcceptRiskDisclosureAsync(user.Id));
        var after = await RenderAsync<RiskDisclosureGate>(user.Id, new Dictionary<string, object?> { [nameof(RiskDisclosureGate.ChildContent)] = Content });
        Assert.Null(after.QuerySelector("[data-testid=risk-disclosure]"));
        Assert.NotNull(after.QuerySelector("[data-testid=secret-content]"));
    }

    [Fact]
    public async Task RecommendationView_ShowsLevelsJustificationProbabilitiesDriversAndOutcomes()
    {
        var user = await ConsentingTraderAsync("view@test.local");
        var model = await AddModelAsync("v3");
        var id = await AddInstrumentAsync("VIEW");
        var snapshot = Snapshot(close: 100, features: new Dictionary<string, double?> { ["rsi_14"] = 55, ["ret_5d"] = 0.01 },
            drivers: [new SnapshotDriver("ret_5d", 0.01, null, 0.05)]);
        var past = await AddRecommendationAsync(id, model, "SELL", 0.55, expected: -2, at: Clock.GetUtcNow().AddDays(-10), active: false);
        await AddOutcomeAsync(past, true, 100, 97, -2);
        var rec = await AddRecommendationAsync(id, model, "BUY", 0.64, expected: 1.8, snapshot: snapshot);

        var doc = await RenderAsync<RecommendationView>(user, new Dictionary<string, object?> { [nameof(RecommendationView.Id)] = rec });
        Assert.True(doc.QuerySelector("[data-testid=entry-value]") is not null, doc.Body!.TextContent);
        Assert.Equal("100.00", doc.QuerySelector("[data-testid=entry-value]")!.TextContent.Trim());
        Assert.StartsWith("96.00", doc.QuerySelector("[data-testid=stop-value]")!.TextContent.Trim());
        Assert.StartsWith("108.00", doc.QuerySelector("[data-testid=target-value]")!.TextContent.Trim());
        Assert.Equal("Momentum and calm regime.", doc.QuerySelector("[data-testid=justification]")!.TextContent.Trim());
        Assert.Equal(["BUY", "HOLD", "SELL"], doc.QuerySelectorAll("[data-testid=probabilities] tbody tr").Select(r => r.GetAttribute("data-label")));
        Assert.Equal("50", doc.QuerySelector("[data-testid=probabilities] tr[data-label=BUY] [role=meter]")!.GetAttribute("aria-valuenow"));

        var rows = doc.QuerySelectorAll("[data-testid=snapshot-table] tbody tr");
        Assert.Equal(["ret_5d", "rsi_14"], rows.Select(r => r.GetAttribute("data-feature")));
        Assert.Contains("sb-driver", rows[0].ClassList);
        Assert.Contains("pushed towards BUY", rows[0].TextContent);

        Assert.Equal(["Pending", "Right"], doc.QuerySelectorAll("[data-testid=history-table] tbody tr").Select(r => r.GetAttribute("data-outcome")));
        Assert.Contains("−3.00%", doc.QuerySelectorAll("[data-testid=history-table] tbody tr")[1].TextContent);
        Assert.Null(doc.QuerySelector("[data-testid=recommendation-chart]")); // no bars stored: an empty state instead of an empty chart
        Assert.Contains("No daily bars around this signal", doc.QuerySelector("[data-testid=recommendation-chart-card]")!.TextContent);

        await using (var db = await DbAsync())
        {
            var asOf = snapshot.AsOf;
            for (var i = -2; i <= 1; i++)
                db.PriceBars.Add(new PriceBar { InstrumentId = id, Interval = Intervals.OneDay, Ts = asOf.AddDays(i), Open = 99, High = 101, Low = 98, Close = 100, Volume = 1, Source = "test" });
            await db.SaveChangesAsync();
        }
        var withBars = await RenderAsync<RecommendationView>(user, new Dictionary<string, object?> { [nameof(RecommendationView.Id)] = rec });
        Assert.Contains("stop-loss 96.00", withBars.QuerySelector("[data-testid=recommendation-chart]")!.GetAttribute("aria-label"));
    }

    [Fact]
    public async Task RecommendationView_ForAnUnknownId_SaysSo()
    {
        var user = await ConsentingTraderAsync("unknown@test.local");
        var doc = await RenderAsync<RecommendationView>(user, new Dictionary<string, object?> { [nameof(RecommendationView.Id)] = 424242L });
        Assert.Equal("No such recommendation", doc.QuerySelector(".sb-empty-title")?.TextContent);
    }

    [Fact]
    public async Task TrackRecordView_WithNoOutcomes_ShowsTheEmptyState()
    {
        var user = await ConsentingTraderAsync("empty-track@test.local");
        var doc = await RenderAsync<TrackRecordView>(user, new Dictionary<string, object?>());
        Assert.Equal("No outcomes yet", doc.QuerySelector(".sb-empty-title")?.TextContent);
        Assert.Null(doc.QuerySelector("[data-testid=calibration]"));
    }

    private sealed class SignedIn(Guid userId) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId.ToString()), new Claim(ClaimTypes.Role, Roles.Trader)], "test"))));
    }

    private sealed class NoJs : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => throw new InvalidOperationException($"JS call '{identifier}' during static rendering.");

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args)
            => throw new InvalidOperationException($"JS call '{identifier}' during static rendering.");
    }
}
