using Bunit;
using Signalbook.Features.Regimes;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Regimes;

public sealed class RegimeBadgeTests : SignalbookTestContext
{
    [Theory]
    [InlineData("calm-up", "mud-chip-color-success")]
    [InlineData("choppy", "mud-chip-color-warning")]
    [InlineData("stressed", "mud-chip-color-error")]
    [InlineData("unusual", "mud-chip-color-dark")]
    public void Badge_NamesTheRegimeInText_ColourOnlyRepeatsIt(string name, string colourClass)
    {
        var cut = Render<RegimeBadge>(p => p.Add(b => b.Name, name));
        var badge = cut.Find("[data-testid=regime-badge]");
        Assert.Equal(name, badge.TextContent.Trim());
        Assert.Equal(name, badge.GetAttribute("data-regime"));
        Assert.Contains(colourClass, badge.ClassName);
        Assert.False(string.IsNullOrWhiteSpace(badge.GetAttribute("title")));
    }

    [Fact]
    public void Badge_WhenTheRegimeChanges_ShowsTheNewOne()
    {
        var cut = Render<RegimeBadge>(p => p.Add(b => b.Name, "calm-up"));
        cut.Render(p => p.Add(b => b.Name, "stressed"));
        Assert.Equal("stressed", cut.Find("[data-testid=regime-badge]").TextContent.Trim());
    }

    [Fact]
    public void Badge_WithoutRegime_RendersNothing()
    {
        var cut = Render<RegimeBadge>(p => p.Add(b => b.Name, null));
        Assert.Empty(cut.FindAll("[data-testid=regime-badge]"));
    }
}
