using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Notifications;

namespace Signalbook.Features.Operations.Errors;

/// <summary>One captured error, ready to store: what, where (context) and for whom.</summary>
public sealed record ErrorOccurrence(
    string Type,
    string Message,
    string? Traceback,
    string Fingerprint,
    Guid? UserId,
    IReadOnlyDictionary<string, object?> Context,
    DateTimeOffset OccurredAt);

public sealed record RecordedError(long ErrorId, long GroupId, bool Created, bool Reopened);

public static class ErrorGroupStatuses
{
    public const string Open = "open";
    public const string Reopened = "reopened";
    public const string Resolved = "resolved";

    public static string Of(bool resolved, int reopenedCount) => resolved ? Resolved : reopenedCount > 0 ? Reopened : Open;
}

public sealed record ErrorGroupQuery(string? Status, string? Search, int Skip, int Take, string SortBy = nameof(ErrorGroupRow.LastSeen), bool Descending = true);

public sealed record ErrorGroupRow(long Id, string ErrorType, string MessageSample, int Occurrences, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    int AffectedUsers, bool Resolved, int ReopenedCount)
{
    public string Status => ErrorGroupStatuses.Of(Resolved, ReopenedCount);
}

public sealed record ErrorOccurrenceRow(long Id, DateTimeOffset OccurredAt, string ErrorMessage, string? Traceback, string? Context, string? UserEmail, bool Resolved);

public sealed record ErrorGroupDetail(long Id, string Fingerprint, string ErrorType, string MessageSample, int Occurrences, DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen, int AffectedUsers, bool Resolved, DateTimeOffset? ResolvedAt, string? ResolvedByEmail, string? ResolutionNotes,
    int ReopenedCount, DateTimeOffset? LastReopenedAt, IReadOnlyList<ErrorOccurrenceRow> Recent)
{
    public string Status => ErrorGroupStatuses.Of(Resolved, ReopenedCount);
}

/// <summary>
/// error_logs and error_groups: records occurrences into their group (a new group, or a resolved one recurring, notifies the
/// admins), lists groups for Admin → Errors, and resolves a group with a note. Admins only, except <see cref="RecordAsync"/>,
/// which the error capture calls.
/// </summary>
public sealed class ErrorGroupService(IDbContextFactory<AppDbContext> factory, INotifier notifier, TimeProvider clock)
{
    public const int NoteMaxLength = 512;
    public const int OccurrencesShown = 50;

    public async Task<RecordedError> RecordAsync(ErrorOccurrence o, CancellationToken ct = default)
    {
        var context = JsonSerializer.Serialize(o.Context);
        var type = Cut(o.Type, 128)!;
        var message = Cut(o.Message, 1024)!;
        RecordedError recorded;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var conn = (NpgsqlConnection)db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            long groupId;
            bool created, reopened;
            // The group's state before this occurrence (locked until commit): resolved means this occurrence reopens it.
            await using (var previous = new NpgsqlCommand("SELECT resolved FROM error_groups WHERE fingerprint = @f FOR UPDATE", conn, tx))
            {
                previous.Parameters.AddWithValue("f", o.Fingerprint);
                reopened = await previous.ExecuteScalarAsync(ct) is true;
            }
            // One statement, so two nodes recording the same new error make one group: the second updates it.
            await using (var group = new NpgsqlCommand("""
                INSERT INTO error_groups AS g (fingerprint, error_type, message_sample, first_seen, last_seen, occurrences, reopened_count)
                VALUES (@f, @type, @msg, @at, @at, 1, 0)
                ON CONFLICT (fingerprint) DO UPDATE SET
                    last_seen = greatest(g.last_seen, EXCLUDED.last_seen),
                    occurrences = g.occurrences + 1,
                    message_sample = EXCLUDED.message_sample,
                    reopened_count = g.reopened_count + CASE WHEN g.resolved THEN 1 ELSE 0 END,
                    last_reopened_at = CASE WHEN g.resolved THEN EXCLUDED.last_seen ELSE g.last_reopened_at END,
                    resolved = false
                RETURNING id, (xmax = 0) AS created
                """, conn, tx))
            {
                group.Parameters.AddWithValue("f", o.Fingerprint);
                group.Parameters.AddWithValue("type", type);
                group.Parameters.AddWithValue("msg", message);
                group.Parameters.AddWithValue("at", o.OccurredAt);
                await using var reader = await group.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                (groupId, created) = (reader.GetInt64(0), reader.GetBoolean(1));
            }
            long errorId;
            await using (var insert = new NpgsqlCommand("""
                INSERT INTO error_logs (user_id, error_type, error_message, traceback, context, occurred_at, fingerprint)
                VALUES ((SELECT id FROM users WHERE id = @u), @type, @msg, @tb, @ctx::jsonb, @at, @f) RETURNING id
                """, conn, tx))
            {
                insert.Parameters.Add(new NpgsqlParameter("u", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = o.UserId is { } user ? user : DBNull.Value });
                insert.Parameters.AddWithValue("type", type);
                insert.Parameters.AddWithValue("msg", message);
                insert.Parameters.Add(new NpgsqlParameter("tb", NpgsqlTypes.NpgsqlDbType.Varchar) { Value = Cut(o.Traceback, 8192) is { } tb ? tb : DBNull.Value });
                insert.Parameters.AddWithValue("ctx", context);
                insert.Parameters.AddWithValue("at", o.OccurredAt);
                insert.Parameters.AddWithValue("f", o.Fingerprint);
                errorId = (long)(await insert.ExecuteScalarAsync(ct))!;
            }
            await tx.CommitAsync(ct);
            recorded = new RecordedError(errorId, groupId, created, reopened);
        }

        if (recorded.Created || recorded.Reopened)
        {
            var title = recorded.Created ? $"New error: {ShortType(type)}" : $"Error reopened: {ShortType(type)}";
            await notifier.NotifyAdminsAsync(NotificationTypes.Error, NotificationLevels.Error, Cut(title, 255)!,
                Cut(recorded.Created ? $"A new kind of error occurred: {message}" : $"An error marked resolved occurred again: {message}", 1024)!,
                $"admin/errors/{recorded.GroupId}", ct);
        }
        return recorded;
    }

    public async Task<(IReadOnlyList<ErrorGroupRow> Rows, int Total)> GroupsAsync(OperationsCaller caller, ErrorGroupQuery query, CancellationToken ct = default)
    {
        caller.EnsureAdmin("error groups");
        await using var db = await factory.CreateDbContextAsync(ct);
        var groups = db.ErrorGroups.AsNoTracking();
        groups = query.Status switch
        {
            ErrorGroupStatuses.Resolved => groups.Where(g => g.Resolved),
            ErrorGroupStatuses.Reopened => groups.Where(g => !g.Resolved && g.ReopenedCount > 0),
            ErrorGroupStatuses.Open => groups.Where(g => !g.Resolved),
            _ => groups,
        };
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var like = $"%{EscapeLike(query.Search.Trim())}%";
            groups = groups.Where(g => EF.Functions.ILike(g.ErrorType, like, "\\") || EF.Functions.ILike(g.MessageSample, like, "\\"));
        }
        var total = await groups.CountAsync(ct);
        groups = (query.SortBy, query.Descending) switch
        {
            (nameof(ErrorGroupRow.Occurrences), true) => groups.OrderByDescending(g => g.Occurrences).ThenByDescending(g => g.Id),
            (nameof(ErrorGroupRow.Occurrences), false) => groups.OrderBy(g => g.Occurrences).ThenBy(g => g.Id),
            (nameof(ErrorGroupRow.FirstSeen), true) => groups.OrderByDescending(g => g.FirstSeen).ThenByDescending(g => g.Id),
            (nameof(ErrorGroupRow.FirstSeen), false) => groups.OrderBy(g => g.FirstSeen).ThenBy(g => g.Id),
            (nameof(ErrorGroupRow.ErrorType), true) => groups.OrderByDescending(g => g.ErrorType).ThenByDescending(g => g.Id),
            (nameof(ErrorGroupRow.ErrorType), false) => groups.OrderBy(g => g.ErrorType).ThenBy(g => g.Id),
            (_, false) => groups.OrderBy(g => g.LastSeen).ThenBy(g => g.Id),
            _ => groups.OrderByDescending(g => g.LastSeen).ThenByDescending(g => g.Id),
        };
        var page = await groups.Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, 200)).ToListAsync(ct);
        var fingerprints = page.Select(g => g.Fingerprint).ToList();
        var affected = await db.ErrorLogs.Where(e => fingerprints.Contains(e.Fingerprint) && e.UserId != null)
            .GroupBy(e => e.Fingerprint).Select(x => new { Fingerprint = x.Key, Users = x.Select(e => e.UserId).Distinct().Count() })
            .ToDictionaryAsync(x => x.Fingerprint, x => x.Users, ct);
        return (page.Select(g => new ErrorGroupRow(g.Id, g.ErrorType, g.MessageSample, g.Occurrences, g.FirstSeen, g.LastSeen,
            affected.GetValueOrDefault(g.Fingerprint), g.Resolved, g.ReopenedCount)).ToList(), total);
    }

    public async Task<ErrorGroupDetail?> GroupAsync(OperationsCaller caller, long id, CancellationToken ct = default)
    {
        caller.EnsureAdmin("error groups");
        await using var db = await factory.CreateDbContextAsync(ct);
        var g = await db.ErrorGroups.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (g is null) return null;
        var resolvedBy = g.ResolvedBy is { } by ? await db.Users.AsNoTracking().Where(u => u.Id == by).Select(u => u.Email).SingleOrDefaultAsync(ct) : null;
        var affected = await db.ErrorLogs.Where(e => e.Fingerprint == g.Fingerprint && e.UserId != null).Select(e => e.UserId).Distinct().CountAsync(ct);
        var recent = await (from e in db.ErrorLogs.AsNoTracking()
                            where e.Fingerprint == g.Fingerprint
                            orderby e.OccurredAt descending, e.Id descending
                            select new ErrorOccurrenceRow(e.Id, e.OccurredAt, e.ErrorMessage, e.Traceback, e.Context,
                                db.Users.Where(u => u.Id == e.UserId).Select(u => u.Email).FirstOrDefault(), e.Resolved))
            .Take(OccurrencesShown).ToListAsync(ct);
        return new ErrorGroupDetail(g.Id, g.Fingerprint, g.ErrorType, g.MessageSample, g.Occurrences, g.FirstSeen, g.LastSeen, affected, g.Resolved,
            g.ResolvedAt, resolvedBy, g.ResolutionNotes, g.ReopenedCount, g.LastReopenedAt, recent);
    }

    /// <summary>Marks a group and its occurrences so far resolved, with a note (required); a later occurrence reopens it.</summary>
    public async Task ResolveAsync(OperationsCaller caller, long groupId, string? note, CancellationToken ct = default)
    {
        caller.EnsureAdmin("error groups");
        var text = note?.Trim() ?? "";
        if (text.Length == 0) throw new OperationsValidationException("note", "Write a resolution note: what was wrong and what fixed it.");
        if (text.Length > NoteMaxLength) throw new OperationsValidationException("note", $"The resolution note is {text.Length} characters; keep it to {NoteMaxLength}.");
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var group = await db.ErrorGroups.SingleOrDefaultAsync(g => g.Id == groupId, ct)
            ?? throw new OperationsValidationException("group", $"Error group {groupId} does not exist (it may have been deleted by retention).");
        if (group.Resolved) throw new OperationsValidationException("group", $"Error group {groupId} is already resolved.");
        group.Resolved = true;
        group.ResolvedAt = now;
        group.ResolvedBy = caller.UserId;
        group.ResolutionNotes = text;
        await db.SaveChangesAsync(ct);
        var fingerprint = group.Fingerprint;
        await db.ErrorLogs.Where(e => e.Fingerprint == fingerprint && !e.Resolved).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.Resolved, true).SetProperty(e => e.ResolvedAt, now).SetProperty(e => e.ResolvedBy, caller.UserId)
            .SetProperty(e => e.ResolutionNotes, text), ct);
        await tx.CommitAsync(ct);
    }

    private static string ShortType(string type) => type.LastIndexOf('.') is var i and >= 0 ? type[(i + 1)..] : type;

    internal static string? Cut(string? s, int max) => s is null ? null : s.Length > max ? s[..max] : s;

    internal static string EscapeLike(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
