using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Signalbook.Data;

namespace Signalbook.Features.Email;

public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>SMTP host. Empty: messages are only stored in the outbox, for an admin to read in the app.</summary>
    public string? Host { get; set; }
    [Range(1, 65535)] public int Port { get; set; } = 587;
    public bool EnableSsl { get; set; } = true;
    public string? UserName { get; set; }
    public string? Password { get; set; }
    [EmailAddress] public string From { get; set; } = "signalbook@localhost";
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);
}

public sealed record OutboxRow(long Id, DateTimeOffset CreatedAt, string ToAddress, string Subject, string Kind, EmailStatus Status, string? Error, string BodyText);

/// <summary>
/// Writes every message to <c>email_outbox</c>; delivers it over SMTP when a host is configured.
/// A delivery failure is recorded on the message and does not fail the caller's operation.
/// </summary>
public sealed class EmailService(IDbContextFactory<AppDbContext> factory, IOptions<SmtpOptions> smtp, TimeProvider clock, ILogger<EmailService> logger)
{
    public async Task<EmailMessage> SendAsync(string to, string subject, string body, string kind, CancellationToken ct = default)
    {
        var message = new EmailMessage
        {
            ToAddress = to,
            Subject = subject,
            BodyText = body,
            Kind = kind,
            Status = EmailStatus.Stored,
            CreatedAt = clock.GetUtcNow(),
        };
        var options = smtp.Value;
        if (options.IsConfigured)
        {
            try
            {
                using var client = new SmtpClient(options.Host, options.Port) { EnableSsl = options.EnableSsl };
                if (!string.IsNullOrEmpty(options.UserName))
                {
                    client.Credentials = new NetworkCredential(options.UserName, options.Password);
                }
                using var mail = new MailMessage(options.From, to, subject, body);
                await client.SendMailAsync(mail, ct);
                message.Status = EmailStatus.Sent;
                message.SentAt = clock.GetUtcNow();
            }
            catch (Exception ex) when (ex is SmtpException or InvalidOperationException or IOException)
            {
                logger.LogError(ex, "Could not deliver {Kind} email to {To}", kind, to);
                message.Status = EmailStatus.Failed;
                message.Error = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message;
            }
        }

        await using var db = await factory.CreateDbContextAsync(ct);
        db.EmailOutbox.Add(message);
        await db.SaveChangesAsync(ct);
        return message;
    }

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
