using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Alerts;
using Signalbook.Features.Alerts.Pages;
using Signalbook.Features.MarketData;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Alerts;

/// <summary>The /alerts page over the real services: empty states, a rule and its fired alert, a refused save, delete with confirmation, read state, and the Viewer's read-only view.</summary>
public sealed class AlertsPageTests : PageTestContext
{
    private async Task<Guid> SignInNewAsync(string role = Roles.Trader)
    {
        var user = await Db.CreateUserAsync($"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@alerts-pages.test", role);
        SignInAs(user, [role]);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return user.Id;
    }

    private async Task<long> InstrumentWithMoveAsync()
    {
        await using var db = await Db.DbAsync();
        var i = new Instrument { Symbol = $"PG{Guid.NewGuid().ToString("N")[..5].ToUpperInvariant()}", Exchange = "NASDAQ", CreatedAt = Db.Clock.GetUtcNow(), UpdatedAt = Db.Clock.GetUtcNow() };
        db.Instruments.Add(i);
        await db.SaveChangesAsync();
        foreach (var (day, close) in new[] { (17, 100.0), (18, 110.0) })
            db.PriceBars.Add(new PriceBar { InstrumentId = i.Id, Interval = Intervals.OneDay, Ts = new DateTimeOffset(2026, 11, day, 0, 0, 0, TimeSpan.Zero), Open = close, High = close, Low = close, Close = close, Volume = 1, Source = "t" });
        await db.SaveChangesAsync();
        return i.Id;
    }

    [Fact]
    public async Task Trader_WithNothing_SeesEmptyStates_AndASaveWithoutAnInstrumentIsRefusedWithAMessage()
    {
        var user = await SignInNewAsync();
        var cut = RenderWithProviders<AlertsPage>();
        cut.WaitForAssertion(() => Assert.Contains("No alert rules yet", cut.Find("[data-testid=rules-grid]").TextContent));

        await ClickAsync(cut, "[data-testid=rule-new]");
        cut.WaitForElement("[data-testid=rule-form]");
        await ClickAsync(cut, "[data-testid=rule-save]");
        cut.WaitForAssertion(() => Assert.Contains("Choose the instrument this rule watches.", cut.Find("[data-testid=alerts-problem]").TextContent));
        await using var db = await Db.DbAsync();
        Assert.Equal(0, await db.AlertRules.CountAsync(r => r.UserId == user));
    }

    [Fact]
    public async Task Trader_SeesTheirRuleAndItsFiredAlert_MarksItRead_AndDeletesTheRuleAfterConfirming()
    {
        var user = await SignInNewAsync();
        var instrument = await InstrumentWithMoveAsync();
        var rule = await Db.WithAsync<AlertRuleService, long>(s => s.CreateAsync(AlertCaller.Trader(user),
            new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = instrument, Threshold = 5, Name = "Big move" }));
        await Db.WithAsync<AlertEvaluator, AlertRunResult>(e => e.EvaluateAsync());
        // Another trader's rule never shows.
        var other = await Db.CreateUserAsync($"other-{Guid.NewGuid():N}@alerts-pages.test");
        await Db.WithAsync<AlertRuleService, long>(s => s.CreateAsync(AlertCaller.Trader(other.Id),
            new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = instrument, Threshold = 1, Name = "Not yours" }));

        var cut = RenderWithProviders<AlertsPage>();
        cut.WaitForAssertion(() => Assert.Equal(["Big move"], cut.FindAll("[data-testid=rule-row-name]").Select(e => e.TextContent)));
        Assert.Contains("Fired alerts (1 unread)", cut.Markup);

        await cut.InvokeAsync(() => cut.FindAll(".mud-tab").Single(t => t.TextContent.Contains("Fired alerts", StringComparison.Ordinal)).Click());
        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("[data-testid=alert-row]").GetAttribute("data-read")));
        Assert.Contains("+10.00 %", cut.Find("[data-testid=alert-row]").TextContent);
        await ClickAsync(cut, "[data-testid=alert-mark]");
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid=alert-row]").GetAttribute("data-read")));

        await cut.InvokeAsync(() => cut.FindAll(".mud-tab").Single(t => t.TextContent.StartsWith("Rules", StringComparison.Ordinal)).Click());
        cut.WaitForElement("[data-testid=rule-delete]");
        await ClickAsync(cut, "[data-testid=rule-delete]");
        Dialogs.WaitForAssertion(() => Assert.Contains("Delete alert rule?", Dialogs.Markup));
        await Dialogs.InvokeAsync(() => Dialogs.Find("[data-testid=confirm-ok]").Click());
        cut.WaitForAssertion(() => Assert.Contains("No alert rules yet", cut.Find("[data-testid=rules-grid]").TextContent));
        await using var db = await Db.DbAsync();
        Assert.False(await db.AlertRules.AnyAsync(r => r.Id == rule));
        Assert.Equal(1, await db.Alerts.CountAsync(a => a.UserId == user)); // the history stays
    }

    [Fact]
    public async Task Viewer_SeesTheReadOnlyNotice_AndNoRuleButtons()
    {
        await SignInNewAsync(Roles.Viewer);
        var cut = RenderWithProviders<AlertsPage>();
        cut.WaitForElement("[data-testid=viewer-notice]");
        cut.WaitForAssertion(() => Assert.Contains("No alert rules yet", cut.Find("[data-testid=rules-grid]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=rule-new]"));
    }
}
