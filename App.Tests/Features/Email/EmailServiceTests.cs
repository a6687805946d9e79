using Signalbook.Features.Email;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Email;

public sealed class EmailServiceTests : ServiceHarness
{
    [Fact]
    public async Task WithoutSmtp_MessagesStayInTheOutbox_ListedNewestFirst_OrSortedAndSearched()
    {
        foreach (var (to, subject) in new[] { ("b@example.com", "Welcome"), ("a@example.com", "Your invitation"), ("c@example.com", "Reset your password") })
        {
            var sent = await WithAsync<EmailService, EmailMessage>(e => e.SendAsync(to, subject, "Body", "test"));
            Assert.Equal(EmailStatus.Stored, sent.Status);
            Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var newest = await WithAsync<EmailService, (IReadOnlyList<OutboxRow> Rows, int Total)>(e => e.ListAsync(null, 0, 10));
        Assert.Equal(["c@example.com", "a@example.com", "b@example.com"], newest.Rows.Select(r => r.ToAddress));

        var byRecipient = await WithAsync<EmailService, (IReadOnlyList<OutboxRow> Rows, int Total)>(e =>
            e.ListAsync(null, 1, 1, nameof(OutboxRow.ToAddress), descending: false));
        Assert.Equal(3, byRecipient.Total);
        Assert.Equal("b@example.com", Assert.Single(byRecipient.Rows).ToAddress);

        var search = await WithAsync<EmailService, (IReadOnlyList<OutboxRow> Rows, int Total)>(e => e.ListAsync("INVITATION", 0, 10));
        Assert.Equal("a@example.com", Assert.Single(search.Rows).ToAddress);
    }
}
