using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.Alerts;

public sealed record AlertRow(long Id, long? RuleId, string Title, string Message, string Severity, string? Category, string? Symbol, long? OrderId,
    DateTimeOffset? BarTs, bool IsRead, bool IsSent, DateTimeOffset CreatedAt);

public sealed record AlertQuery(bool UnreadOnly = false, string? Severity = null, string? Search = null, bool NewestFirst = true, int Page = 0, int PageSize = 25);

/// <summary>The fired alerts of the signed-in user: the history (filter, paging), the unread count, and read state.</summary>
public sealed class AlertsService(IDbContextFactory<AppDbContext> factory)
{
    public async Task<AlertPage<AlertRow>> ListAsync(AlertCaller caller, AlertQuery query, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.Alerts.AsNoTracking().Where(a => a.UserId == caller.UserId);
        if (query.UnreadOnly) q = q.Where(a => !a.IsRead);
        if (!string.IsNullOrEmpty(query.Severity)) q = q.Where(a => a.Severity == query.Severity);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var text = $"%{query.Search.Trim()}%";
            q = q.Where(a => EF.Functions.ILike(a.Title, text) || EF.Functions.ILike(a.Message, text) || (a.Symbol != null && EF.Functions.ILike(a.Symbol, text)));
        }
        var total = await q.CountAsync(ct);
        q = query.NewestFirst ? q.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id) : q.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id);
        var size = Math.Clamp(query.PageSize, 1, 200);
        var rows = await q.Skip(Math.Max(0, query.Page) * size).Take(size)
            .Select(a => new AlertRow(a.Id, a.RuleId, a.Title, a.Message, a.Severity, a.Category, a.Symbol, a.OrderId, a.BarTs, a.IsRead, a.IsSent, a.CreatedAt))
            .ToListAsync(ct);
        return new AlertPage<AlertRow>(rows, total);
    }

    public async Task<int> UnreadCountAsync(AlertCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Alerts.CountAsync(a => a.UserId == caller.UserId && !a.IsRead, ct);
    }

    /// <summary>Marks one of the caller's alerts read (Viewers too: it is their own inbox).</summary>
    public async Task MarkReadAsync(AlertCaller caller, long id, bool read = true, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var n = await db.Alerts.Where(a => a.Id == id && a.UserId == caller.UserId).ExecuteUpdateAsync(u => u.SetProperty(a => a.IsRead, read), ct);
        if (n == 0) throw new AlertNotFoundException($"Alert {id}");
    }

    public async Task<int> MarkAllReadAsync(AlertCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Alerts.Where(a => a.UserId == caller.UserId && !a.IsRead).ExecuteUpdateAsync(u => u.SetProperty(a => a.IsRead, true), ct);
    }
}
