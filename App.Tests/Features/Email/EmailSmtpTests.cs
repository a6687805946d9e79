using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Email;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Email;

/// <summary>The outbox delivering over SMTP with MailKit, against a real SMTP listener on this machine.</summary>
public sealed class EmailSmtpTests : ServiceHarness
{
    private readonly SmtpListener _smtp = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Smtp:From"] = "signalbook@test.local",
        ["Smtp:TimeoutSeconds"] = "10",
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task Send_DeliversOverSmtp_WithRecipientSubjectAndBody_AndMarksTheOutboxRowSent()
    {
        var sent = await WithAsync<EmailService, EmailMessage>(e => e.SendAsync("ines@example.com", "Your invitation", "Hello Inès,\n\n.leading dot line\nBye", "test"));

        Assert.Equal(EmailStatus.Sent, sent.Status);
        var received = Assert.Single(_smtp.Messages);
        Assert.Equal("signalbook@test.local", received.MailFrom);
        Assert.Equal(["ines@example.com"], received.RcptTo);
        Assert.Equal("Your invitation", received.Message.Subject);
        Assert.Equal("Hello Inès,\n\n.leading dot line\nBye", received.Message.TextBody!.Replace("\r\n", "\n").TrimEnd('\n'));
        await using var db = await DbAsync();
        var row = await db.EmailOutbox.SingleAsync(m => m.Id == sent.Id);
        Assert.Equal(EmailStatus.Sent, row.Status);
        Assert.Equal(Clock.GetUtcNow(), row.SentAt);
        Assert.Null(row.Error);
    }

    [Fact]
    public async Task ARecipientTheServerRefuses_IsAPermanentFailure_RecordedOnTheRow()
    {
        _smtp.RecipientReply = to => to == "nobody@example.com" ? "550 5.1.1 No such user here" : null;

        var sent = await WithAsync<EmailService, EmailMessage>(e => e.SendAsync("nobody@example.com", "Hi", "Body", "test"));

        Assert.Equal(EmailStatus.Failed, sent.Status);
        Assert.Contains("550", sent.Error);
        Assert.Empty(_smtp.Messages);
        var again = await WithAsync<EmailService, EmailDelivery>(e => e.DeliverAsync(sent.Id));
        Assert.True(again.Permanent);
        await using var db = await DbAsync();
        Assert.Equal(EmailStatus.Failed, (await db.EmailOutbox.SingleAsync(m => m.Id == sent.Id)).Status);
    }
}

/// <summary>An SMTP server that does not answer: the row is written first and marked failed, and a retry may help.</summary>
public sealed class EmailSmtpDownTests : ServiceHarness
{
    private readonly int _port = SmtpListener.ClosedPort();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Smtp:TimeoutSeconds"] = "5",
    };

    [Fact]
    public async Task ARefusedConnection_LeavesTheMessageInTheOutbox_Failed_WithATransientError()
    {
        var sent = await WithAsync<EmailService, EmailMessage>(e => e.SendAsync("bob@example.com", "Confirm your email", "Hello Bob", "confirm-email"));

        Assert.Equal(EmailStatus.Failed, sent.Status);
        Assert.Contains($"127.0.0.1:{_port}", sent.Error);
        var retry = await WithAsync<EmailService, EmailDelivery>(e => e.DeliverAsync(sent.Id));
        Assert.Equal(EmailStatus.Failed, retry.Status);
        Assert.False(retry.Permanent);
        var (rows, total) = await WithAsync<EmailService, (IReadOnlyList<OutboxRow> Rows, int Total)>(e => e.ListAsync(null, 0, 10));
        Assert.Equal(1, total);
        Assert.Equal(EmailStatus.Failed, rows[0].Status);
    }
}
