using Microsoft.AspNetCore.Components;
using Signalbook.Components.Shared;
using Signalbook.Components.Shared.Charts;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Components;

public sealed class ComponentTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SessionTable_ShowsRevokeOnlyOnActiveSessions_AndMarksThisBrowser()
    {
        var current = Guid.NewGuid();
        var user = Guid.NewGuid();
        SessionRow[] rows =
        [
            new(current, user, Now.AddHours(-2), Now, Now.AddDays(10), "192.0.2.1", "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0", null, null),
            new(Guid.NewGuid(), user, Now.AddDays(-3), Now.AddDays(-1), Now.AddDays(9), "192.0.2.2", "Mozilla/5.0 (Windows NT 10.0) Firefox/140.0", null, null),
            new(Guid.NewGuid(), user, Now.AddDays(-5), Now.AddDays(-5), Now.AddDays(9), null, null, Now.AddDays(-4), "signed out"),
            new(Guid.NewGuid(), user, Now.AddDays(-20), Now.AddDays(-20), Now.AddDays(-6), null, null, null, null),
        ];
        var doc = await ComponentRenderer.RenderAsync<SessionTable>(new Dictionary<string, object?>
        {
            [nameof(SessionTable.Rows)] = rows,
            [nameof(SessionTable.CurrentSessionId)] = current,
            [nameof(SessionTable.Now)] = Now,
        });

        var trs = doc.QuerySelectorAll("[data-testid=sessions-table] tbody tr");
        Assert.Equal(4, trs.Length);
        Assert.Equal(2, doc.QuerySelectorAll("tbody button").Length);
        Assert.Contains("Active · this browser", trs[0].TextContent);
        Assert.Contains("Chrome on Linux", trs[0].TextContent);
        Assert.Contains("Ended (signed out)", trs[2].TextContent);
        Assert.Contains("Expired", trs[3].TextContent);
        Assert.Empty(trs[3].QuerySelectorAll("button"));
        Assert.All(doc.QuerySelectorAll("tbody button"), b => Assert.StartsWith("Revoke the session signed in", b.GetAttribute("aria-label")));
    }

    [Fact]
    public async Task SessionTable_WithNoRows_ShowsAnEmptyStateInsteadOfATable()
    {
        var doc = await ComponentRenderer.RenderAsync<SessionTable>(new Dictionary<string, object?> { [nameof(SessionTable.Rows)] = Array.Empty<SessionRow>() });
        Assert.Null(doc.QuerySelector("table"));
        Assert.Equal("No sessions yet", doc.QuerySelector(".sb-empty-title")?.TextContent);
        Assert.Equal("status", doc.QuerySelector(".sb-empty")?.GetAttribute("role"));
    }

    [Fact]
    public async Task ApexChart_RendersAnAccessibleFigureWithADataTable_WithoutCallingJavaScript()
    {
        var options = new ChartOptions
        {
            Chart = new ChartSettings { Type = "bar" },
            Series = [new ChartSeries("Sign-ups", [3, 0, 5])],
            Xaxis = new ChartXAxis { Categories = ["Nov 18", "Nov 19", "Nov 20"], Title = new ChartTitle("Day") },
        };
        var doc = await ComponentRenderer.RenderAsync<ApexChart>(new Dictionary<string, object?>
        {
            [nameof(ApexChart.Options)] = options,
            [nameof(ApexChart.AriaLabel)] = "Sign-ups per day",
            [nameof(ApexChart.TestId)] = "c1",
        });
        var host = doc.QuerySelector("[data-testid=c1]")!;
        Assert.Equal("img", host.GetAttribute("role"));
        Assert.Equal("Sign-ups per day", host.GetAttribute("aria-label"));
        Assert.Equal("Sign-ups per day", doc.QuerySelector("table caption")?.TextContent);
        var cells = doc.QuerySelectorAll("tbody tr").Select(r => string.Join("|", r.Children.Select(c => c.TextContent))).ToList();
        Assert.Equal(["Nov 18|3", "Nov 19|0", "Nov 20|5"], cells);
    }

    [Fact]
    public void ChartOptions_Serialize_ToApexNames_LeavingUnsetOptionsOut()
    {
        var json = new ChartOptions
        {
            Chart = new ChartSettings { Type = "line", Height = "200" },
            Series = [new ChartSeries("A", [1.5, null])],
            Yaxis = new ChartYAxis { Min = 0 },
        }.ToJson().GetRawText();
        Assert.Contains("\"chart\":{\"type\":\"line\",\"height\":\"200\",\"toolbar\":{\"show\":false}}", json);
        Assert.Contains("\"series\":[{\"name\":\"A\",\"data\":[1.5,null]}]", json);
        Assert.Contains("\"yaxis\":{\"min\":0}", json);
        Assert.DoesNotContain("xaxis", json);
        Assert.DoesNotContain("colors", json);
    }
}
