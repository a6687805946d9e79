using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Signalbook.Components.Shared;
using Signalbook.Components.Theme;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Components;

/// <summary>The shared UI pieces every page uses: confirmation, status chip and message, UTC time, live refresh.</summary>
public sealed class SharedComponentTests : SignalbookTestContext
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A page that asks before deleting, as every page with a destructive action does.</summary>
    private sealed class DeletePage : ComponentBase
    {
        [Inject] private IDialogService Dialogs { get; set; } = default!;

        public string Outcome { get; private set; } = "nothing yet";

        protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder)
        {
            builder.OpenElement(0, "button");
            builder.AddAttribute(1, "id", "delete");
            builder.AddAttribute(2, "onclick", EventCallback.Factory.Create(this, DeleteAsync));
            builder.AddContent(3, "Delete");
            builder.CloseElement();
            builder.OpenElement(4, "p");
            builder.AddAttribute(5, "id", "outcome");
            builder.AddContent(6, Outcome);
            builder.CloseElement();
        }

        private async Task DeleteAsync()
        {
            Outcome = await Dialogs.ConfirmAsync("Delete the instrument?", "Its 2,500 bars go with it.", "Delete", destructive: true) ? "deleted" : "kept";
        }
    }

    [Fact]
    public void ConfirmAsync_ConfirmingTheDialog_RunsTheAction()
    {
        var page = RenderWithProviders<DeletePage>();
        page.Find("#delete").Click();

        Dialogs.WaitForElement("[data-testid=confirm-ok]");
        Assert.Contains("Delete the instrument?", Dialogs.Markup);
        Assert.Contains("Its 2,500 bars go with it.", Dialogs.Markup);
        Assert.Contains("mud-button-filled-error", Dialogs.Find("[data-testid=confirm-ok]").ClassName);
        Dialogs.Find("[data-testid=confirm-ok]").Click();

        page.WaitForAssertion(() => Assert.Equal("deleted", page.Find("#outcome").TextContent));
        Assert.Empty(Dialogs.FindAll("[data-testid=confirm-ok]"));
    }

    [Fact]
    public void ConfirmAsync_CancellingTheDialog_KeepsEverything()
    {
        var page = RenderWithProviders<DeletePage>();
        page.Find("#delete").Click();
        Dialogs.WaitForElement("[data-testid=confirm-cancel]").Click();
        page.WaitForAssertion(() => Assert.Equal("kept", page.Find("#outcome").TextContent));
    }

    [Theory]
    [InlineData("success", "mud-chip-color-success")]
    [InlineData("failed", "mud-chip-color-error")]
    [InlineData("running", "mud-chip-color-info")]
    [InlineData("cancelled", "mud-chip-color-warning")]
    [InlineData("something-new", "mud-chip-color-default")]
    public void StatusChip_ColoursFromTheOneMap_AndShowsTheWord(string status, string colourClass)
    {
        var chip = Render<StatusChip>(p => p.Add(c => c.Status, status));
        var element = chip.Find("[data-testid=status-chip]");
        Assert.Equal(status, element.GetAttribute("data-status"));
        Assert.Contains(status, element.TextContent);
        Assert.Contains(colourClass, element.ClassName);
    }

    [Theory]
    [InlineData(Variant.Text, Color.Success)]
    [InlineData(Variant.Outlined, Color.Info)]
    [InlineData(Variant.Filled, Color.Error)]
    public void ChipMarkup_HasTheClassesAndStructureMudChipRenders(Variant variant, Color color)
    {
        // The plain chips (StatusChip, RegimeBadge, the dashboard's markers) look like MudChips only while they carry
        // the same classes in the same structure: this fails if a MudBlazor update changes what a MudChip renders.
        var mud = Render<MudChip<string>>(p => p.Add(c => c.Size, Size.Small).Add(c => c.Variant, variant).Add(c => c.Color, color)
            .Add(c => c.Class, "sb-x").Add(c => c.ChildContent, "word"));
        var mudChip = mud.Find(".mud-chip-container > .mud-chip");
        Assert.Equal(mudChip.ClassList.OrderBy(c => c), ChipMarkup.Class(color, variant, "sb-x").Split(' ').OrderBy(c => c));
        Assert.Equal("word", mudChip.QuerySelector(":scope > span.mud-chip-content")?.TextContent);

        var plain = Render<StatusChip>(p => p.Add(c => c.Status, "x").Add(c => c.Text, "word").Add(c => c.Color, color));
        var plainChip = plain.Find(".mud-chip-container > .mud-chip");
        Assert.Equal(ChipMarkup.Class(color, Variant.Text, "sb-status-chip").Split(' ').OrderBy(c => c), plainChip.ClassList.OrderBy(c => c));
        Assert.Equal("word", plainChip.QuerySelector(":scope > span.mud-chip-content")?.TextContent);
    }

    [Fact]
    public void ChipMarkup_IsOneMarkupOfEncodedTextAndAttributes_LeavingOutNullAndFalse()
    {
        var html = ChipMarkup.Html("AT&T <\"co\">", Color.Info, Variant.Outlined, null,
            new Dictionary<string, object?> { ["title"] = "Tom's \"pick\"", ["data-n"] = 1.5, ["hidden"] = false, ["data-none"] = null, ["aria-hidden"] = true }, inline: true);
        var chip = Render(b => b.AddMarkupContent(0, html)).Find("span.mud-chip-container > span.mud-chip");
        Assert.Equal("AT&T <\"co\">", chip.QuerySelector(":scope > span.mud-chip-content")!.TextContent);
        Assert.Equal("Tom's \"pick\"", chip.GetAttribute("title"));
        Assert.Equal("1.5", chip.GetAttribute("data-n"));
        Assert.True(chip.HasAttribute("aria-hidden"));
        Assert.False(chip.HasAttribute("hidden"));
        Assert.False(chip.HasAttribute("data-none"));
        Assert.DoesNotContain("<\"", html); // encoded, not injected
    }

    /// <summary>Grid rows render these as static markup (no component per cell); each must look exactly like its component.</summary>
    [Fact]
    public void StaticMarkup_RendersWhatTheComponentRenders()
    {
        void Same<TComponent>(Action<ComponentParameterCollectionBuilder<TComponent>> parameters, RenderFragment markup) where TComponent : IComponent
        {
            var component = Render<TComponent>(parameters);
            var fragment = Render(markup);
            fragment.MarkupMatches(component.Markup);
        }

        Same<Change>(p => p.Add(c => c.Value, 0.0123), Change.Markup(0.0123));
        Same<Change>(p => p.Add(c => c.Value, -0.5), Change.Markup(-0.5));
        Same<Change>(p => p.Add(c => c.Value, null), Change.Markup(null));
        Same<StatusChip>(p => p.Add(c => c.Status, "filled"), StatusChip.Markup("filled"));
        Same<StatusChip>(p => p.Add(c => c.Status, "x").Add(c => c.Text, "Words").Add(c => c.Color, Color.Error), StatusChip.Markup("x", "Words", Color.Error));
        Same<Signalbook.Features.Recommendations.LabelBadge>(p => p.Add(c => c.Label, "BUY"), Signalbook.Features.Recommendations.LabelBadge.Markup("BUY"));
        Same<Signalbook.Features.Regimes.RegimeBadge>(p => p.Add(c => c.Name, "choppy"), Signalbook.Features.Regimes.RegimeBadge.Markup("choppy"));
        Same<Signalbook.Features.Regimes.RegimeBadge>(p => p.Add(c => c.Name, null), Signalbook.Features.Regimes.RegimeBadge.Markup(null));
        Same<UtcTime>(p => p.Add(c => c.Value, Now), UtcTime.Markup(Now));
        Same<UtcTime>(p => p.Add(c => c.Value, Now.AddHours(-3)).Add(c => c.Format, "relative").Add(c => c.Now, Now), UtcTime.Markup(Now.AddHours(-3), "relative", Now));
        Same<UtcTime>(p => p.Add(c => c.Value, null).Add(c => c.None, "never"), UtcTime.Markup(null, none: "never"));
        Assert.Contains("sb-up", Render(Change.Markup(0.0123)).Markup);
        Assert.Contains("never", Render(UtcTime.Markup(null, none: "never")).Markup);
    }

    [Fact]
    public void UtcTime_WritesUtcInvariantly_WithAMachineReadableDatetime()
    {
        var paris = new DateTimeOffset(2026, 3, 29, 3, 30, 0, TimeSpan.FromHours(2)); // 01:30 UTC
        var time = Render<UtcTime>(p => p.Add(c => c.Value, paris).Add(c => c.ShowZone, true));
        var element = time.Find("time");
        Assert.Equal("2026-03-29 01:30 UTC", element.TextContent);
        Assert.Equal("2026-03-29T01:30:00.0000000Z", element.GetAttribute("datetime"));

        var none = Render<UtcTime>(p => p.Add(c => c.Value, null).Add(c => c.None, "never"));
        Assert.Equal("never", none.Find("span").TextContent);
        var relative = Render<UtcTime>(p => p.Add(c => c.Value, Now.AddMinutes(-3)).Add(c => c.Now, Now).Add(c => c.Format, "relative"));
        Assert.Equal("3 min ago", relative.Find("time").TextContent);
    }

    [Theory]
    [InlineData(0.25, "250 ms")]
    [InlineData(12.44, "12.4 s")]
    [InlineData(185, "3 min 05 s")]
    [InlineData(7800, "2 h 10 min")]
    public void TimeFormat_Duration_ReadsLikeAJobList(double seconds, string expected) => Assert.Equal(expected, TimeFormat.Duration(seconds));

    [Fact]
    public void StatusMessage_ErrorsAreAlerts_OtherOutcomesAreStatus_AndCanBeClosed()
    {
        var closed = false;
        var message = Render<StatusMessage>(p => p.Add(c => c.Message, "Could not save: the name is taken.")
            .Add(c => c.Severity, Severity.Error).Add(c => c.OnClose, () => { closed = true; }));
        Assert.Equal("alert", message.Find("[data-testid=status-message]").GetAttribute("role"));
        message.Find("button").Click();
        Assert.True(closed);

        var ok = Render<StatusMessage>(p => p.Add(c => c.Message, "Saved.").Add(c => c.Severity, Severity.Success));
        Assert.Equal("status", ok.Find("[data-testid=status-message]").GetAttribute("role"));
        Assert.Empty(Render<StatusMessage>(p => p.Add(c => c.Message, null)).Markup.Trim());
    }

    [Fact]
    public void LiveRefresh_AFailingRefresh_IsReported_AndTheLoopRecoversByItself()
    {
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var healthy = false;
        var calls = 0;
        var refresh = Render<LiveRefresh>(p => p
            .Add(c => c.Interval, TimeSpan.FromMilliseconds(200))
            .Add(c => c.Refresh, _ => { Interlocked.Increment(ref calls); return healthy ? Task.CompletedTask : throw new InvalidOperationException("the feed is down"); }));

        refresh.WaitForAssertion(() => Assert.Contains("Live updates paused: the feed is down", refresh.Markup), TimeSpan.FromSeconds(10));
        healthy = true;
        refresh.WaitForAssertion(() => Assert.Empty(refresh.FindAll("[data-testid=live-refresh-error]")), TimeSpan.FromSeconds(15));
        Assert.True(calls >= 2);
    }

    [Fact]
    public void LiveRefresh_RetryNow_DoesNotWaitForTheBackoff()
    {
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var healthy = false;
        var refresh = Render<LiveRefresh>(p => p
            .Add(c => c.Interval, TimeSpan.FromSeconds(2)) // after a failure the loop waits 4 s: the button must not
            .Add(c => c.Refresh, _ => healthy ? Task.CompletedTask : throw new InvalidOperationException("the feed is down")));

        refresh.WaitForAssertion(() => Assert.Contains("Trying again in 4 s", refresh.Markup), TimeSpan.FromSeconds(10));
        healthy = true;
        var clicked = DateTime.UtcNow;
        refresh.Find("[data-testid=live-refresh-error] button").Click();
        refresh.WaitForAssertion(() => Assert.Empty(refresh.FindAll("[data-testid=live-refresh-error]")), TimeSpan.FromSeconds(3));
        Assert.True(DateTime.UtcNow - clicked < TimeSpan.FromSeconds(3.5), "recovered by the button, not by the 4 s backoff");
    }

    [Fact]
    public void PageHeading_RendersTitleSubtitleAndActions()
    {
        RenderFragment actions = b => b.AddMarkupContent(0, "<button id=\"act\">Do</button>");
        var heading = Render<PageHeading>(p => p.Add(c => c.Title, "Waitlist").Add(c => c.Subtitle, "Approve visitors").Add(c => c.Actions, actions));
        Assert.Equal("Waitlist", heading.Find("h1").TextContent);
        Assert.Contains("Approve visitors", heading.Find("header").TextContent);
        Assert.NotNull(heading.Find(".sb-page-actions #act"));
    }

    private static RenderFragment InTable(RenderFragment rows) => b =>
    {
        b.OpenElement(0, "table");
        b.OpenElement(1, "tbody");
        b.AddContent(2, rows);
        b.CloseElement();
        b.CloseElement();
    };

    /// <summary>A row of elements, attributes of each kind, encoded text, raw markup, a nested fragment and a void element.</summary>
    private static readonly RenderFragment PlainRow = b =>
    {
        RenderFragment nested = n =>
        {
            n.OpenElement(0, "em");
            n.AddContent(1, "x < y & \"z\"");
            n.CloseElement();
        };
        b.OpenElement(0, "tr");
        b.AddAttribute(1, "class", "sb-row");
        b.AddAttribute(2, "title", "Tom's \"pick\" <b>");
        b.AddAttribute(3, "hidden", false);
        b.AddAttribute(4, "data-none", (string?)null);
        b.AddAttribute(5, "aria-hidden", true);
        b.OpenElement(6, "td");
        b.AddContent(7, nested);
        b.AddMarkupContent(8, "<b>bold</b>");
        b.CloseElement();
        b.OpenElement(9, "td");
        b.AddContent(10, "before");
        b.OpenElement(11, "br");
        b.CloseElement();
        b.AddContent(12, "é — 42 %");
        b.CloseElement();
        b.CloseElement();
    };

    [Fact]
    public void StaticMarkup_FreezesAFragmentToTheHtmlTheRendererWrites_InOneFrame()
    {
        Render(InTable(StaticMarkup.Freeze(PlainRow))).MarkupMatches(Render(InTable(PlainRow)).Markup);

        var html = StaticMarkup.ToHtml(PlainRow);
        Assert.StartsWith("<tr class=\"sb-row\" title=\"Tom&#x27;s &quot;pick&quot; &lt;b&gt;\" aria-hidden>", html);
        Assert.Contains("<em>x &lt; y &amp; &quot;z&quot;</em><b>bold</b>", html);
        Assert.Contains("before<br>", html);
        Assert.DoesNotContain("</br>", html);
        Assert.DoesNotContain("hidden=", html.Replace("aria-hidden", ""));
        Assert.DoesNotContain("data-none", html);

#pragma warning disable BL0006
        using var builder = new Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder();
        StaticMarkup.Freeze(PlainRow)(builder);
        var frames = builder.GetFrames();
        Assert.Equal(1, frames.Count);
        Assert.Equal(Microsoft.AspNetCore.Components.RenderTree.RenderTreeFrameType.Markup, frames.Array[0].FrameType);
#pragma warning restore BL0006
    }

    [Fact]
    public void StaticMarkup_RefusesWhatNeedsTheCircuit_NamingIt()
    {
        var click = Assert.Throws<InvalidOperationException>(() => StaticMarkup.ToHtml(b =>
        {
            b.OpenElement(0, "button");
            b.AddAttribute(1, "onclick", EventCallback.Factory.Create(this, () => { }));
            b.CloseElement();
        }));
        Assert.Contains("onclick of <button>", click.Message);

        var component = Assert.Throws<InvalidOperationException>(() => StaticMarkup.ToHtml(b =>
        {
            b.OpenElement(0, "td");
            b.OpenComponent<Change>(1);
            b.CloseComponent();
            b.CloseElement();
        }));
        Assert.Contains("Component frame (sequence 1)", component.Message);

        var reference = Assert.Throws<InvalidOperationException>(() => StaticMarkup.ToHtml(b =>
        {
            b.OpenElement(0, "input");
            b.AddElementReferenceCapture(1, _ => { });
            b.CloseElement();
        }));
        Assert.Contains("<input>", reference.Message);
    }

    private sealed record Item(string Name);

    [Fact]
    public void StaticMarkup_Cached_MakesOneFragmentPerInstance_NotPerEqualValue()
    {
        var made = 0;
        var cache = new StaticMarkup.Cached<Item>(item =>
        {
            made++;
            return b => b.AddContent(0, item.Name);
        });
        var first = new Item("AAPL");
        var equal = new Item("AAPL");

        Assert.Same(cache[first], cache[first]);
        Assert.NotSame(cache[first], cache[equal]);
        Assert.Equal(2, made);
        Assert.Equal("AAPL", Render(cache[equal]).Markup);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SharedThemeProvider_RendersWhatMudThemeProviderRenders_FromOneSharedText(bool dark)
    {
        var mud = Render<MudThemeProvider>(p => p.Add(c => c.Theme, SignalbookTheme.Instance).Add(c => c.IsDarkMode, dark));
        var one = Render<SharedThemeProvider>(p => p.Add(c => c.Theme, SignalbookTheme.Instance).Add(c => c.IsDarkMode, dark));
        var two = Render<SharedThemeProvider>(p => p.Add(c => c.Theme, SignalbookTheme.Instance).Add(c => c.IsDarkMode, dark));

        one.MarkupMatches(mud.Markup);
        Assert.Contains("--mud-palette-primary", one.Markup);
        var first = one.Instance.RenderedMarkup();
        var second = two.Instance.RenderedMarkup();
        Assert.Equal(first.Count, second.Count);
        Assert.All(first.Zip(second), pair => Assert.Same(pair.First, pair.Second));
    }
}
