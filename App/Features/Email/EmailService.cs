using System.ComponentModel.DataAnnotations;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Signalbook.Data;

namespace Signalbook.Features.Email;

/// <summary>How the SMTP connection is secured (MailKit's <see cref="SecureSocketOptions"/>).</summary>
public enum SmtpSecurity
{
    /// <summary>TLS on connect for port 465, STARTTLS when the server offers it otherwise.</summary>
    Auto,

    /// <summary>Plain text: only for a relay on the same machine or a test server.</summary>
    None,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,

    /// <summary>STARTTLS, required (usually port 587).</summary>
    StartTls,

    /// <summary>STARTTLS when the server offers it, plain text otherwise.</summary>
    StartTlsWhenAvailable,
}

public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>SMTP host. Empty: messages are only stored in the outbox, for an admin to read in the app.</summary>
    public string? Host { get; set; }
    [Range(1, 65535)] public int Port { get; set; } = 587;

    /// <summary>How the connection is secured; <see cref="SmtpSecurity.Auto"/> by default.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    public string? UserName { get; set; }
    public string? Password { get; set; }
    [EmailAddress] public string From { get; set; } = "signalbook@localhost";

    /// <summary>How long one SMTP conversation (connect, authenticate, send) may take.</summary>
    [Range(1, 600)] public int TimeoutSeconds { get; set; } = 30;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    internal SecureSocketOptions SocketOptions => Security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
        _ => SecureSocketOptions.Auto,
    };
}

public sealed record OutboxRow(long Id, DateTimeOffset CreatedAt, string ToAddress, string Subject, string Kind, EmailStatus Status, string? Error, string BodyText);

/// <summary>
/// The outcome of one SMTP attempt for an outbox row: <see cref="EmailStatus.Stored"/> when no SMTP server is configured
/// (the outbox is then where emails are delivered), <see cref="EmailStatus.Sent"/>, or <see cref="EmailStatus.Failed"/>
/// with the error. <see cref="Permanent"/>: the server refused the message or the address for good (a 5xx reply, an
/// address that does not parse), so a retry cannot help; otherwise (connection refused, timeout, 4xx) a retry may.
/// </summary>
public sealed record EmailDelivery(long MessageId, EmailStatus Status, string? Error = null, bool Permanent = false);

/// <summary>
/// Writes every message to <c>email_outbox</c> first (so nothing is lost), then delivers it over SMTP with MailKit when a
/// host is configured, recording the outcome on the row. A delivery failure is recorded and does not fail the caller's
/// operation; the notification delivery job retries a failed row through <see cref="DeliverAsync"/>.
/// </summary>
public sealed class EmailService(IDbContextFactory<AppDbContext> factory, IOptions<SmtpOptions> smtp, TimeProvider clock, ILogger<EmailService> logger)
{
    /// <summary>Whether emails leave the server (an SMTP host is set) or stay in the outbox.</summary>
    public bool SmtpConfigured => smtp.Value.IsConfigured;

    /// <summary>Writes the message to the outbox and tries to deliver it once; returns the row as it ends up.</summary>
    public async Task<EmailMessage> SendAsync(string to, string subject, string body, string kind, CancellationToken ct = default)
    {
        var message = await QueueAsync(to, subject, body, kind, ct);
        var delivery = await DeliverAsync(message.Id, ct);
        message.Status = delivery.Status;
        message.Error = delivery.Error;
        if (delivery.Status == EmailStatus.Sent) message.SentAt = clock.GetUtcNow();
        return message;
    }

    /// <summary>Writes the message to the outbox (status stored), without sending it.</summary>
    public async Task<EmailMessage> QueueAsync(string to, string subject, string body, string kind, CancellationToken ct = default)
    {
        var message = new EmailMessage
        {
            ToAddress = Clip(to, 320),
            Subject = Clip(subject, 300),
            BodyText = body,
            Kind = Clip(kind, 50),
            Status = EmailStatus.Stored,
            CreatedAt = clock.GetUtcNow(),
        };
        await using var db = await factory.CreateDbContextAsync(ct);
        db.EmailOutbox.Add(message);
        await db.SaveChangesAsync(ct);
        return message;
    }

    /// <summary>
    /// One SMTP attempt for an outbox row (a sent row is not sent again). Records the outcome on the row and returns it.
    /// </summary>
    public async Task<EmailDelivery> DeliverAsync(long messageId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var message = await db.EmailOutbox.SingleOrDefaultAsync(m => m.Id == messageId, ct)
            ?? throw new ArgumentException($"No outbox message {messageId}.", nameof(messageId));
        if (message.Status == EmailStatus.Sent) return new EmailDelivery(message.Id, EmailStatus.Sent);
        var options = smtp.Value;
        if (!options.IsConfigured) return new EmailDelivery(message.Id, EmailStatus.Stored);

        EmailDelivery outcome;
        try
        {
            await SendOverSmtpAsync(options, message, ct);
            message.Status = EmailStatus.Sent;
            message.SentAt = clock.GetUtcNow();
            message.Error = null;
            outcome = new EmailDelivery(message.Id, EmailStatus.Sent);
        }
        catch (Exception e) when (Classify(e) is { } permanent)
        {
            logger.LogWarning(e, "Could not deliver {Kind} email {Id} to {To}", message.Kind, message.Id, message.ToAddress);
            var error = Clip(Describe(e, options), 2000);
            message.Status = EmailStatus.Failed;
            message.Error = error;
            outcome = new EmailDelivery(message.Id, EmailStatus.Failed, error, permanent);
        }
        await db.SaveChangesAsync(CancellationToken.None); // the outcome is recorded even when the caller gave up
        return outcome;
    }

    private static async Task SendOverSmtpAsync(SmtpOptions options, EmailMessage message, CancellationToken ct)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(options.From));
        mime.To.Add(MailboxAddress.Parse(message.ToAddress));
        mime.Subject = message.Subject;
        mime.Body = new TextPart("plain") { Text = message.BodyText };

        using var client = new SmtpClient { Timeout = options.TimeoutSeconds * 1000 };
        await client.ConnectAsync(options.Host!, options.Port, options.SocketOptions, ct);
        if (!string.IsNullOrEmpty(options.UserName)) await client.AuthenticateAsync(options.UserName, options.Password ?? "", ct);
        await client.SendAsync(mime, ct);
        await client.DisconnectAsync(quit: true, ct);
    }

    /// <summary>Null: not a delivery problem (let it through). True: permanent. False: a retry may succeed.</summary>
    private static bool? Classify(Exception e) => e switch
    {
        SmtpCommandException c => (int)c.StatusCode >= 500,
        ParseException => true,
        SmtpProtocolException or ServiceNotConnectedException or ServiceNotAuthenticatedException or AuthenticationException
            or SslHandshakeException or IOException or SocketException or TimeoutException => false,
        OperationCanceledException => null,
        _ => null,
    };

    private static string Describe(Exception e, SmtpOptions options) => e switch
    {
        SmtpCommandException c => $"The SMTP server refused the message ({(int)c.StatusCode} {c.ErrorCode}): {c.Message}",
        ParseException => $"The address is not a valid email address: {e.Message}",
        SocketException or IOException => $"Could not reach the SMTP server {options.Host}:{options.Port}: {e.Message}",
        AuthenticationException => $"The SMTP server refused the user name or password: {e.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static string Clip(string s, int max) => s.Length > max ? s[..max] : s;

    /// <summary>
    /// One page of the outbox, newest first unless <paramref name="sortBy"/> (an <see cref="OutboxRow"/> property) says
    /// otherwise; filtered, sorted and paged in SQL.
    /// </summary>
    public async Task<(IReadOnlyList<OutboxRow> Rows, int Total)> ListAsync(string? search, int skip, int take, string? sortBy = null, bool descending = true,
        CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.EmailOutbox.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = $"%{search.Trim()}%";
            q = q.Where(m => EF.Functions.ILike(m.ToAddress, term) || EF.Functions.ILike(m.Subject, term));
        }
        var total = await q.CountAsync(ct);
        q = (sortBy, descending) switch
        {
            (nameof(OutboxRow.ToAddress), false) => q.OrderBy(m => m.ToAddress).ThenByDescending(m => m.Id),
            (nameof(OutboxRow.ToAddress), true) => q.OrderByDescending(m => m.ToAddress).ThenByDescending(m => m.Id),
            (nameof(OutboxRow.Subject), false) => q.OrderBy(m => m.Subject).ThenByDescending(m => m.Id),
            (nameof(OutboxRow.Subject), true) => q.OrderByDescending(m => m.Subject).ThenByDescending(m => m.Id),
            (nameof(OutboxRow.Kind), false) => q.OrderBy(m => m.Kind).ThenByDescending(m => m.Id),
            (nameof(OutboxRow.Kind), true) => q.OrderByDescending(m => m.Kind).ThenByDescending(m => m.Id),
            (nameof(OutboxRow.Status), false) => q.OrderBy(m => m.Status).ThenByDescending(m => m.Id),
            (nameof(OutboxRow.Status), true) => q.OrderByDescending(m => m.Status).ThenByDescending(m => m.Id),
            (_, false) => q.OrderBy(m => m.Id),
            _ => q.OrderByDescending(m => m.Id),
        };
        var rows = await q.Skip(skip).Take(take)
            .Select(m => new OutboxRow(m.Id, m.CreatedAt, m.ToAddress, m.Subject, m.Kind, m.Status, m.Error, m.BodyText))
            .ToListAsync(ct);
        return (rows, total);
    }
}
