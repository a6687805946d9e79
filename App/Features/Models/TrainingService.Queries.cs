using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Features.Indicators;
using Signalbook.Jobs;

namespace Signalbook.Features.Models;

// The Models page's queries: the jobs list, whether any is active, one job's detail.
public sealed partial class TrainingService
{
    /// <summary>Training jobs, newest first, one page.</summary>
    public async Task<(IReadOnlyList<TrainingJobRow> Rows, int Total)> ListJobsAsync(int skip, int take, CancellationToken ct = default)
    {
        await using var db = await _factory.CreateDbContextAsync(ct);
        var total = await db.MlTrainingJobs.CountAsync(ct);
        var rows = await Project(db, db.MlTrainingJobs.AsNoTracking().OrderByDescending(j => j.Id).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 100)))
            .ToListAsync(ct);
        return (rows.Select(r => r.ToRow()).ToList(), total);
    }

    /// <summary>Whether any job is pending or running (the page polls while one is).</summary>
    public async Task<bool> AnyActiveAsync(CancellationToken ct = default)
    {
        await using var db = await _factory.CreateDbContextAsync(ct);
        return await db.MlTrainingJobs.AnyAsync(j => j.Status == TrainingStatuses.Pending || j.Status == TrainingStatuses.Running, ct);
    }

    public async Task<TrainingJobDetail?> JobAsync(long id, CancellationToken ct = default)
    {
        await using var db = await _factory.CreateDbContextAsync(ct);
        var row = await Project(db, db.MlTrainingJobs.AsNoTracking().Where(j => j.Id == id)).SingleOrDefaultAsync(ct);
        if (row is null) return null;
        var more = await db.MlTrainingJobs.AsNoTracking().Where(j => j.Id == id)
            .Select(j => new { j.Hyperparameters, j.DataFrom, j.DataTo, j.FeatureVersion, j.Logs }).SingleAsync(ct);
        var model = await db.MlModels.AsNoTracking().Where(m => m.TrainingJobId == id).Select(m => new { m.Id, m.Version }).FirstOrDefaultAsync(ct);
        return new TrainingJobDetail(row.ToRow(), more.Hyperparameters, more.DataFrom, more.DataTo, more.FeatureVersion, more.Logs ?? "", model?.Id, model?.Version);
    }

    private sealed record JobProjection(long Id, string ModelType, string Algorithm, string Status, double Progress, DateTimeOffset CreatedAt,
        DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, double? Accuracy, string? ErrorMessage, string? Email, string? LogTail)
    {
        public TrainingJobRow ToRow() => new(Id, ModelType, Algorithm, Status, Progress, CreatedAt, StartedAt, CompletedAt, Accuracy, ErrorMessage, Email,
            LastLogTime(LogTail) ?? StartedAt ?? CreatedAt);
    }

    // Only the end of a running job's log is read: its last timestamp is when the job last showed a sign of life.
    private static IQueryable<JobProjection> Project(AppDbContext db, IQueryable<MlTrainingJob> jobs) => jobs.Select(j => new JobProjection(
        j.Id, j.ModelType, j.Algorithm, j.Status, j.Progress, j.CreatedAt, j.StartedAt, j.CompletedAt, j.Accuracy, j.ErrorMessage,
        db.Users.Where(u => u.Id == j.StartedBy).Select(u => u.Email).FirstOrDefault(),
        j.Status == TrainingStatuses.Running && j.Logs != null ? j.Logs.Substring(j.Logs.Length > 400 ? j.Logs.Length - 400 : 0) : null));

    /// <summary>The time of the last "[yyyy-MM-dd HH:mm:ss]" log line in a log's tail.</summary>
    internal static DateTimeOffset? LastLogTime(string? tail)
    {
        if (string.IsNullOrEmpty(tail)) return null;
        for (var i = tail.LastIndexOf('['); i >= 0; i = i == 0 ? -1 : tail.LastIndexOf('[', i - 1))
        {
            if (i + 20 < tail.Length && tail[i + 20] == ']' && (i == 0 || tail[i - 1] == '\n')
                && DateTimeOffset.TryParseExact(tail.AsSpan(i + 1, 19), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
                return t;
        }
        return null;
    }
}
