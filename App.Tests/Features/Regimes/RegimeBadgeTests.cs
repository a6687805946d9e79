using Signalbook.Features.Regimes;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Regimes;

public sealed class RegimeBadgeTests
{
    [Theory]
    [InlineData("calm-up", "rz-badge-success")]
    [InlineData("choppy", "rz-badge-warning")]
    [InlineData("stressed", "rz-badge-danger")]
    [InlineData("unusual", "rz-badge-dark")]
    public async Task Badge_NamesTheRegimeInText_ColourOnlyRepeatsIt(string name, string styleClass)
    {
        var doc = await ComponentRenderer.RenderAsync<RegimeBadge>(new Dictionary<string, object?> { [nameof(RegimeBadge.Name)] = name });
        var badge = doc.QuerySelector("[data-testid=regime-badge]");
        Assert.NotNull(badge);
        Assert.Equal(name, badge.TextContent.Trim());
        Assert.Contains(styleClass, badge.ClassName);
        Assert.False(string.IsNullOrWhiteSpace(badge.GetAttribute("title")));
    }

    [Fact]
    public async Task Badge_WithoutRegime_RendersNothing()
    {
        var doc = await ComponentRenderer.RenderAsync<RegimeBadge>(new Dictionary<string, object?> { [nameof(RegimeBadge.Name)] = null });
        Assert.Null(doc.QuerySelector("[data-testid=regime-badge]"));
    }
}
