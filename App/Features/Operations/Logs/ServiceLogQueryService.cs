using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.Operations.Logs;

/// <summary>
/// A search of service_logs. <see cref="MinLevel"/> keeps that level and above; <see cref="Module"/> is a prefix of the
/// category; <see cref="UserEmail"/> (admins only) an exact user; <see cref="Text"/> a part of the message; the
/// instants are UTC (the page converts from the reader's zone). <see cref="AfterId"/> keeps newer lines only (live tail).
/// </summary>
public sealed record ServiceLogQuery(
    string? MinLevel = null,
    string? Module = null,
    string? UserEmail = null,
    string? Text = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Skip = 0,
    int Take = 50,
    bool NewestFirst = true);

public sealed record ServiceLogRowView(long Id, DateTimeOffset Timestamp, string Level, string Module, string Message, string? Context, string? UserEmail);

/// <summary>Reads service_logs: admins every line (or one user's), a trader only their own.</summary>
public sealed class ServiceLogQueryService(IDbContextFactory<AppDbContext> factory)
{
    public const int MaxTake = 200;

    public async Task<(IReadOnlyList<ServiceLogRowView> Rows, int Total)> QueryAsync(OperationsCaller caller, ServiceLogQuery query, CancellationToken ct = default)
    {
        if (query.MinLevel is { } level && !ServiceLogLevels.All.Contains(level))
            throw new OperationsValidationException("level", $"'{level}' is not a log level; use one of {string.Join(", ", ServiceLogLevels.All)}.");
        if (query.From is { } from && query.To is { } to && to < from)
            throw new OperationsValidationException("to", "The end of the time range is before its start.");
        if (!caller.IsAdmin && !string.IsNullOrWhiteSpace(query.UserEmail))
            throw new OperationsForbiddenException("Only admins can read another user's logs.");

        await using var db = await factory.CreateDbContextAsync(ct);
        var logs = db.ServiceLogs.AsNoTracking();
        if (!caller.IsAdmin)
        {
            logs = logs.Where(l => l.UserId == caller.UserId);
        }
        else if (!string.IsNullOrWhiteSpace(query.UserEmail))
        {
            var email = query.UserEmail.Trim().ToUpperInvariant();
            logs = logs.Where(l => db.Users.Any(u => u.Id == l.UserId && u.NormalizedEmail == email));
        }
        if (query.MinLevel is { } min)
        {
            var levels = ServiceLogLevels.All.SkipWhile(l => l != min).ToList();
            logs = logs.Where(l => levels.Contains(l.Level));
        }
        if (!string.IsNullOrWhiteSpace(query.Module))
        {
            var prefix = Errors.ErrorGroupService.EscapeLike(query.Module.Trim()) + "%";
            logs = logs.Where(l => EF.Functions.ILike(l.Module, prefix, "\\"));
        }
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var like = "%" + Errors.ErrorGroupService.EscapeLike(query.Text.Trim()) + "%";
            logs = logs.Where(l => EF.Functions.ILike(l.Message, like, "\\"));
        }
        if (query.From is { } f) logs = logs.Where(l => l.Timestamp >= f);
        if (query.To is { } t) logs = logs.Where(l => l.Timestamp < t);

        var total = await logs.CountAsync(ct);
        var ordered = query.NewestFirst ? logs.OrderByDescending(l => l.Timestamp).ThenByDescending(l => l.Id) : logs.OrderBy(l => l.Timestamp).ThenBy(l => l.Id);
        var rows = await ordered.Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, MaxTake))
            .Select(l => new ServiceLogRowView(l.Id, l.Timestamp, l.Level, l.Module, l.Message, l.Context,
                l.UserId == null ? null : db.Users.Where(u => u.Id == l.UserId).Select(u => u.Email).FirstOrDefault()))
            .ToListAsync(ct);
        return (rows, total);
    }
}
