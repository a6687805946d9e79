using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Waitlist;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Waitlist;

public sealed class AdminWaitlistPageTests : PageTestContext
{
    private async Task JoinAsync(string name, string email, string? referral = null)
        => Assert.Equal(JoinOutcome.Joined, await Db.WithAsync<WaitlistService, JoinOutcome>(w => w.JoinAsync(name, email, referral, $"198.51.100.{email.Length}")));

    private IRenderedComponent<AdminWaitlist> Open(int rows)
    {
        SignInAdmin();
        var page = RenderWithProviders<AdminWaitlist>();
        page.WaitForAssertion(() => Assert.Equal(rows, page.FindAll("[data-testid=waitlist-grid] tbody tr.mud-table-row").Count));
        return page;
    }

    private static IElement Row(IRenderedComponent<AdminWaitlist> page, string email)
        => page.FindAll("[data-testid=waitlist-grid] tbody tr").Single(r => r.TextContent.Contains(email, StringComparison.Ordinal));

    [Fact]
    public async Task Approve_AfterConfirming_ShowsTheOneTimeLink_MarksTheRowInvited_AndWritesTheEmail()
    {
        await JoinAsync("Ines Invitee", "ines@example.com", "A friend");
        var page = Open(1);
        Assert.Contains("Pending: 1", page.Find("[data-testid=waitlist-counts]").TextContent);
        Assert.Contains("Pending", Row(page, "ines@").TextContent);

        await page.InvokeAsync(() => Row(page, "ines@").QuerySelector("[data-testid=approve]")!.Click());
        Dialogs.WaitForAssertion(() => Assert.Contains("Invite Ines Invitee?", Dialogs.Markup));
        await ClickAsync(Dialogs, "[data-testid=confirm-ok]");

        var link = page.WaitForElement("[data-testid=invitation-link]").GetAttribute("value")!;
        Assert.Contains("/account/register?invite=", link);
        page.WaitForAssertion(() => Assert.Contains("Invited", Row(page, "ines@").TextContent));
        Assert.Equal("Re-send", Row(page, "ines@").QuerySelector("[data-testid=approve]")!.TextContent.Trim());
        page.WaitForAssertion(() => Assert.Contains("Invited: 1", page.Find("[data-testid=waitlist-counts]").TextContent));
        Snackbars.WaitForAssertion(() => Assert.Contains("Invitation emailed to ines@example.com.", Snackbars.Markup));

        await using var db = await Db.DbAsync();
        var mail = await db.EmailOutbox.SingleAsync();
        Assert.Equal("ines@example.com", mail.ToAddress);
        Assert.Contains(link, mail.BodyText);
        Assert.NotNull(await Db.WithAsync<WaitlistService, WaitlistRow?>(w => w.FindInvitationAsync(link.Split("invite=")[1])));
    }

    [Fact]
    public async Task Reject_CancelledKeepsTheEntry_ConfirmedRejectsIt()
    {
        await JoinAsync("Rex Reject", "rex@example.com");
        var page = Open(1);
        await page.InvokeAsync(() => Row(page, "rex@").QuerySelector("[data-testid=reject]")!.Click());
        Dialogs.WaitForElement("[data-testid=confirm-cancel]"); await ClickAsync(Dialogs, "[data-testid=confirm-cancel]");
        Assert.Contains("Pending", Row(page, "rex@").TextContent);

        await page.InvokeAsync(() => Row(page, "rex@").QuerySelector("[data-testid=reject]")!.Click());
        Dialogs.WaitForElement("[data-testid=confirm-ok]"); await ClickAsync(Dialogs, "[data-testid=confirm-ok]");
        page.WaitForAssertion(() => Assert.Equal("rejected", Row(page, "rex@").QuerySelector("[data-testid=status-chip]")!.GetAttribute("data-status")));
        Assert.Null(Row(page, "rex@").QuerySelector("[data-testid=reject]"));
        await using var db = await Db.DbAsync();
        Assert.Equal(WaitlistStatus.Rejected, (await db.Waitlist.SingleAsync()).Status);
        Assert.Empty(await db.EmailOutbox.ToListAsync());
    }

    [Fact]
    public async Task Notes_AreEditedInPlace_Saved_AndTooLongNotesAreRefusedWithAMessage()
    {
        await JoinAsync("Nora Notes", "nora@example.com");
        var page = Open(1);
        await page.InvokeAsync(() => Row(page, "nora@").QuerySelector("[data-testid=edit-notes]")!.Click());
        page.WaitForElement("[data-testid=notes-form] textarea");
        await ActAsync(page, "[data-testid=notes-form] textarea", e => e.Input(new string('x', 4001)));
        await ActAsync(page, "[data-testid=notes-form]", e => e.Submit());
        page.WaitForAssertion(() => Assert.Contains("Notes are limited to 4000 characters.", page.Find("[data-testid=notes-form]").TextContent));

        await ActAsync(page, "[data-testid=notes-form] textarea", e => e.Input("Met at the meetup; trader."));
        await ActAsync(page, "[data-testid=notes-form]", e => e.Submit());
        page.WaitForAssertion(() => Assert.Equal("Met at the meetup; trader.", Row(page, "nora@").QuerySelector("[data-testid=notes]")!.TextContent));
        Assert.Empty(page.FindAll("[data-testid=notes-form]"));
        await using var db = await Db.DbAsync();
        Assert.Equal("Met at the meetup; trader.", (await db.Waitlist.SingleAsync()).Notes);
    }

    [Fact]
    public async Task StatusFilter_AndSearch_RunInTheQuery()
    {
        await JoinAsync("Ann One", "ann@example.com", "newsletter");
        await JoinAsync("Bob Two", "bob@example.com");
        var page = Open(2);
        await ActAsync(page, "[data-testid=waitlist-search] input, input[data-testid=waitlist-search]", e => e.Input("newsletter"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=waitlist-grid] tbody tr.mud-table-row")));
        Assert.Contains("ann@example.com", page.Find("[data-testid=waitlist-grid]").TextContent);
    }
}
