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

// The run: claims the row, trains with progress and logs, registers the model or records why not.
public sealed partial class TrainingService
{
    /// <summary>
    /// Runs a pending job (or, when <paramref name="recovering"/>, a running one whose node died): trains, registers
    /// the model and marks the row. Only one caller can claim a job, so a second trigger does nothing.
    /// </summary>
    public async Task<TrainingRunOutcome> RunAsync(long jobId, IProgress<JobStep>? progress = null, bool recovering = false, CancellationToken ct = default)
    {
        var startedAt = _clock.GetUtcNow();
        var claimLine = Line(startedAt, recovering ? "Restarted from the beginning: the node running it stopped." : "Started.");
        MlTrainingJob? job;
        await using (var db = await _factory.CreateDbContextAsync(ct))
        {
            var claimed = await db.MlTrainingJobs
                .Where(j => j.Id == jobId && (j.Status == TrainingStatuses.Pending || (recovering && j.Status == TrainingStatuses.Running)))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, TrainingStatuses.Running)
                    .SetProperty(j => j.StartedAt, startedAt)
                    .SetProperty(j => j.Progress, 0.0)
                    .SetProperty(j => j.Logs, j => (j.Logs ?? "") + claimLine), ct);
            job = await db.MlTrainingJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, ct);
            if (job is null) return new TrainingRunOutcome(TaskStatuses.Skipped, Error: $"Training job {jobId} does not exist.");
            if (claimed == 0) return new TrainingRunOutcome(TaskStatuses.Skipped, Error: $"Training job {jobId} is {job.Status}; nothing to run.");
        }

        var writer = new RowWriter(_factory, jobId, _clock);
        using var stopWatching = new CancellationTokenSource();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var cancelledByUser = false;
        var watcher = Task.Run(async () =>
        {
            // Polls the row: a cancel from any node turns it cancelled; this also flushes buffered log lines.
            try
            {
                while (!stopWatching.IsCancellationRequested)
                {
                    await Task.Delay(PollInterval, stopWatching.Token);
                    await using var db = await _factory.CreateDbContextAsync(stopWatching.Token);
                    var status = await db.MlTrainingJobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => j.Status).SingleOrDefaultAsync(stopWatching.Token);
                    if (status != TrainingStatuses.Running)
                    {
                        cancelledByUser = true;
                        await run.CancelAsync();
                        return;
                    }
                    writer.FlushIfDue();
                }
            }
            catch (OperationCanceledException)
            {
                // The run ended.
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Training job {Id}: status poll failed", jobId);
            }
        }, CancellationToken.None);

        try
        {
            var spec = SpecOf(job);
            var instruments = await _data.LoadDailyAsync(null, from: null, to: spec.DataTo, run.Token);
            writer.Log($"Loaded the daily features of {instruments.Count} instruments (feature version {FeatureCalculator.Version}).");
            var reporter = new Progress(writer, progress);
            var result = await Task.Run(() => ModelTrainer.Train(instruments, spec, reporter, writer.Log, run.Token), run.Token);

            await stopWatching.CancelAsync();
            await watcher;
            await writer.FlushAsync();
            return await CompleteAsync(job, result, writer);
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            await stopWatching.CancelAsync();
            await watcher;
            var status = await StatusAsync(jobId);
            if (cancelledByUser || status == TrainingStatuses.Cancelled)
            {
                writer.Log("Stopped after the cancellation; no model was registered.");
                await writer.FlushAsync();
                return new TrainingRunOutcome(TaskStatuses.Cancelled, Error: "Cancelled by an admin.");
            }
            const string interrupted = "The training was interrupted before it finished (its app node stopped); start it again.";
            writer.Log(interrupted);
            await writer.FlushAsync();
            await FinishAsync(jobId, TrainingStatuses.Failed, interrupted, CancellationToken.None);
            return new TrainingRunOutcome(TaskStatuses.Cancelled, Error: interrupted);
        }
        catch (Exception e)
        {
            await stopWatching.CancelAsync();
            await watcher;
            var message = e is InvalidOperationException or ArgumentException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            if (e is not (InvalidOperationException or ArgumentException)) _logger.LogError(e, "Training job {Id} failed", jobId);
            writer.Log($"Failed: {message}");
            await writer.FlushAsync();
            await FinishAsync(jobId, TrainingStatuses.Failed, message, CancellationToken.None);
            return new TrainingRunOutcome(TaskStatuses.Failed, Error: Truncate(message));
        }
    }

    /// <summary>
    /// Registers the model and marks the job completed while holding the job's row lock, so a cancel arriving now
    /// either happens first (nothing is registered) or waits and finds the job completed. The lock is FOR NO KEY
    /// UPDATE: the model's foreign key check (FOR KEY SHARE, from the registry's own connection) does not wait on it.
    /// </summary>
    private async Task<TrainingRunOutcome> CompleteAsync(MlTrainingJob job, TrainingResult result, RowWriter writer)
    {
        await using var db = await _factory.CreateDbContextAsync(CancellationToken.None);
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var status = await db.Database
            .SqlQuery<string>($"SELECT status AS \"Value\" FROM ml_training_jobs WHERE id = {job.Id} FOR NO KEY UPDATE")
            .SingleAsync(CancellationToken.None);
        if (status != TrainingStatuses.Running)
        {
            await tx.RollbackAsync(CancellationToken.None);
            writer.Log("Trained, but the job was cancelled meanwhile; no model was registered.");
            await writer.FlushAsync();
            return new TrainingRunOutcome(TaskStatuses.Cancelled, Error: "Cancelled by an admin.");
        }
        var version = await _registry.RegisterAsync(result, job.Id, job.StartedBy, CancellationToken.None);
        var now = _clock.GetUtcNow();
        var line = Line(now, $"Registered {version.ModelType} {version.Version} (model {version.Id}, params {version.ParamsHash[..12]}).");
        await db.MlTrainingJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, TrainingStatuses.Completed)
            .SetProperty(j => j.CompletedAt, now)
            .SetProperty(j => j.Progress, 1.0)
            .SetProperty(j => j.Accuracy, result.Accuracy)
            .SetProperty(j => j.Logs, j => (j.Logs ?? "") + line), CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        return new TrainingRunOutcome(TaskStatuses.Success, version.Version);
    }

    /// <summary>Marks a job failed (or another end state) unless it was cancelled meanwhile.</summary>
    private async Task FinishAsync(long jobId, string status, string error, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        var message = Truncate(error);
        await using var db = await _factory.CreateDbContextAsync(ct);
        await db.MlTrainingJobs.Where(j => j.Id == jobId && j.Status != TrainingStatuses.Cancelled).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, status)
            .SetProperty(j => j.CompletedAt, now)
            .SetProperty(j => j.ErrorMessage, message), ct);
    }

    private async Task<string?> StatusAsync(long jobId)
    {
        await using var db = await _factory.CreateDbContextAsync();
        return await db.MlTrainingJobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => j.Status).SingleOrDefaultAsync();
    }

    /// <summary>Trainer progress: to the row (through the writer) and to the job's own progress (its service_task_execution row).</summary>
    private sealed class Progress(RowWriter writer, IProgress<JobStep>? also) : IProgress<JobStep>
    {
        public void Report(JobStep value)
        {
            writer.Report(value);
            also?.Report(value);
        }
    }

    /// <summary>
    /// Buffers a run's progress and log lines and writes them to its row at most every half second (a real-time
    /// interval, not the app clock, which only stamps the lines). Progress changes only while the row is running.
    /// </summary>
    private sealed class RowWriter(IDbContextFactory<AppDbContext> factory, long jobId, TimeProvider clock)
    {
        private readonly Lock _gate = new();
        private readonly StringBuilder _lines = new();
        private readonly Stopwatch _sinceWrite = Stopwatch.StartNew();
        private double? _progress;
        private string? _lastMessage;
        private Task _writing = Task.CompletedTask;

        public void Log(string text)
        {
            lock (_gate) _lines.Append(Line(clock.GetUtcNow(), text));
            FlushIfDue();
        }

        public void Report(JobStep step)
        {
            lock (_gate)
            {
                _progress = Math.Clamp(step.Fraction, 0, 1);
                if (step.Message != _lastMessage) _lines.Append(Line(clock.GetUtcNow(), step.Message));
                _lastMessage = step.Message;
            }
            FlushIfDue();
        }

        public void FlushIfDue()
        {
            lock (_gate)
            {
                if (_sinceWrite.Elapsed < WriteInterval || !_writing.IsCompleted || (_lines.Length == 0 && _progress is null)) return;
                _sinceWrite.Restart();
                _writing = WriteAsync();
            }
        }

        public async Task FlushAsync()
        {
            Task writing;
            lock (_gate) writing = _writing;
            await writing;
            await WriteAsync();
        }

        private async Task WriteAsync()
        {
            string text;
            double? progress;
            lock (_gate)
            {
                text = _lines.ToString();
                _lines.Clear();
                (progress, _progress) = (_progress, null);
            }
            if (text.Length == 0 && progress is null) return;
            try
            {
                await using var db = await factory.CreateDbContextAsync();
                var rows = db.MlTrainingJobs.Where(j => j.Id == jobId);
                if (progress is { } p)
                    await rows.ExecuteUpdateAsync(s => s
                        .SetProperty(j => j.Progress, j => j.Status == TrainingStatuses.Running ? p : j.Progress)
                        .SetProperty(j => j.Logs, j => (j.Logs ?? "") + text));
                else
                    await rows.ExecuteUpdateAsync(s => s.SetProperty(j => j.Logs, j => (j.Logs ?? "") + text));
            }
            catch (Exception e) when (e is DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // A lost write must not fail the training; the lines go out with the next one.
                lock (_gate) _lines.Insert(0, text);
            }
        }
    }
}
