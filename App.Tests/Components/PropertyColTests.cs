using System.Linq.Expressions;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;
using Signalbook.Components.Shared.Grid;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Components;

/// <summary>
/// The grid column every page uses instead of MudBlazor's PropertyColumn: it keeps one instance of each row-only
/// property expression, so a re-rendered grid does not compile its columns' properties again.
/// </summary>
public sealed class PropertyColTests : SignalbookTestContext
{
    public sealed record Row(string Symbol, double Close);

    /// <summary>A grid whose columns Razor-style build fresh expression trees on every render.</summary>
    private sealed class GridPage : ComponentBase
    {
        [Parameter] public string Suffix { get; set; } = "";

        private static readonly Row[] Rows = [new("AAA", 10.5), new("BBB", 20.25)];

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenComponent<MudDataGrid<Row>>(0);
            builder.AddAttribute(1, nameof(MudDataGrid<Row>.Items), Rows);
            builder.AddAttribute(2, nameof(MudDataGrid<Row>.Columns), (RenderFragment)(columns =>
            {
                columns.OpenComponent<PropertyCol<Row, string>>(0);
                columns.AddAttribute(1, nameof(PropertyCol<Row, string>.Property), (Expression<Func<Row, string>>)(r => r.Symbol));
                columns.CloseComponent();
                columns.OpenComponent<PropertyCol<Row, double>>(2);
                columns.AddAttribute(3, nameof(PropertyCol<Row, double>.Property), (Expression<Func<Row, double>>)(r => r.Close));
                columns.CloseComponent();
                columns.OpenComponent<PropertyCol<Row, string>>(4);
                columns.AddAttribute(5, nameof(PropertyCol<Row, string>.Property), (Expression<Func<Row, string>>)(r => r.Symbol + Suffix)); // captures the page
                columns.CloseComponent();
            }));
            builder.CloseComponent();
        }
    }

    [Fact]
    public void ReRendering_KeepsEachRowOnlyProperty_TheSameInstance_AndLeavesCapturingOnesUnshared()
    {
        var page = RenderWithProviders<GridPage>(p => p.Add(c => c.Suffix, "-1"));
        var symbol = page.FindComponents<PropertyCol<Row, string>>()[0].Instance.Property;
        var close = page.FindComponent<PropertyCol<Row, double>>().Instance.Property;
        var capturing = page.FindComponents<PropertyCol<Row, string>>()[1].Instance.Property;
        Assert.Contains("AAA-1", page.Markup);

        page.Render(p => p.Add(c => c.Suffix, "-2"));

        // The grid's columns rendered again with new trees: the row-only ones are the instances compiled first.
        Assert.Same(symbol, page.FindComponents<PropertyCol<Row, string>>()[0].Instance.Property);
        Assert.Same(close, page.FindComponent<PropertyCol<Row, double>>().Instance.Property);
        Assert.True(PropertyCol<Row, string>.IsShared(symbol));
        // The capturing one is the new tree (its closure differs), and it is never put in the shared table.
        var capturingNow = page.FindComponents<PropertyCol<Row, string>>()[1].Instance.Property;
        Assert.NotSame(capturing, capturingNow);
        Assert.False(PropertyCol<Row, string>.IsShared(capturingNow));
        Assert.Contains("AAA-2", page.Markup);
        Assert.Contains("BBB", page.Markup);
        Assert.Contains("20.25", page.Markup);
    }
}
