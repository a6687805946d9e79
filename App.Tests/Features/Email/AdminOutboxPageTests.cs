using Bunit;
using Signalbook.Features.Email;
using Signalbook.Features.Email.Admin;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Email;

public sealed class AdminOutboxPageTests : PageTestContext
{
    [Fact]
    public async Task ClickingAMessage_OpensItsBody_AndSearchNarrowsTheList()
    {
        await Db.WithAsync<EmailService, EmailMessage>(e => e.SendAsync("ines@example.com", "Your Signalbook invitation",
            "Hello Ines,\n\nhttps://example.test/account/register?invite=abc", "waitlist-invitation"));
        Db.Clock.Advance(TimeSpan.FromMinutes(1));
        await Db.WithAsync<EmailService, EmailMessage>(e => e.SendAsync("bob@example.com", "Confirm your email", "Hello Bob", "confirm-email"));

        SignInAdmin();
        var page = RenderWithProviders<AdminOutbox>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=outbox-grid] tbody tr.mud-table-row").Count));
        Assert.Contains("bob@example.com", page.FindAll("[data-testid=outbox-grid] tbody tr.mud-table-row")[0].TextContent); // newest first
        Assert.Contains("In outbox", page.Find("[data-testid=outbox-grid]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=outbox-message]"));

        await page.InvokeAsync(() => page.FindAll("[data-testid=read-email]")[1].Click());
        var message = page.WaitForElement("[data-testid=outbox-message]");
        Assert.Contains("Your Signalbook invitation", message.TextContent);
        Assert.Contains("To ines@example.com", message.TextContent);
        Assert.Contains("2026-11-20 14:30 UTC", message.TextContent);
        Assert.Contains("register?invite=abc", page.Find("[data-testid=outbox-body]").TextContent);
        await ClickAsync(page, "[data-testid=close-message]");
        Assert.Empty(page.FindAll("[data-testid=outbox-message]"));

        await ActAsync(page, "[data-testid=outbox-search] input, input[data-testid=outbox-search]", e => e.Input("confirm"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=outbox-grid] tbody tr.mud-table-row")));
        Assert.Contains("bob@example.com", page.Find("[data-testid=outbox-grid]").TextContent);
    }
}
