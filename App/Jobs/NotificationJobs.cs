using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Signalbook.Features.Notifications.Delivery;
using Signalbook.Features.Notifications.Telegram;

namespace Signalbook.Jobs;

/// <summary>
/// Delivers one notification's pending channels (the user is the run's <see cref="JobStart.ForUser"/>). A failure a
/// retry may fix throws, so Hangfire retries with the definition's backoff; the last attempt records the channel as
/// failed with its error instead (the run's outcome is then failed, and nothing is retried again).
/// </summary>
public sealed class NotificationDeliveryJob(NotificationDelivery delivery, JobRegistry registry)
{
    public async Task<JobOutcome> RunAsync(JobStart start, long notificationId, PerformContext? context, CancellationToken ct)
    {
        if (notificationId <= 0) throw new JobValidationException("A delivery needs the notification it delivers.");
        var maxAttempts = (registry.Find(JobCatalog.NotificationDelivery)?.RetryAttempts ?? 0) + 1;
        // Outside Hangfire (a direct call) there is no retry to come: the one attempt is the last.
        var attempt = context is null ? maxAttempts : context.GetJobParameter<int>("RetryCount") + 1;
        var result = await delivery.DeliverAsync(notificationId, attempt, maxAttempts, ct);
        var outcome = new JobOutcome(result.RetryNeeded || result.AnyFailed ? TaskStatuses.Failed : TaskStatuses.Success, new Dictionary<string, object?>
        {
            ["notification"] = notificationId, ["attempt"] = attempt, ["email"] = result.EmailStatus, ["telegram"] = result.TelegramStatus,
        }, result.Error);
        if (result.RetryNeeded) throw new JobFailedException(outcome);
        return outcome;
    }
}

/// <summary>Sends the quiet-hours digests that are due, and queues again any delivery whose job was lost.</summary>
public sealed class NotificationDigestJob(NotificationDelivery delivery, IBackgroundJobClient client)
{
    public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
    {
        var run = await delivery.SendDigestsAsync(ct);
        var stale = await delivery.StalePendingAsync(ct);
        var queue = new HangfireNotificationDeliveryQueue(client);
        foreach (var (id, user) in stale) await queue.EnqueueAsync(id, user, ct);
        var details = new Dictionary<string, object?>
        {
            ["users"] = run.Users, ["notifications"] = run.Notifications, ["emails_sent"] = run.EmailsSent, ["telegrams_sent"] = run.TelegramsSent,
            ["failures"] = run.Failures, ["requeued"] = stale.Count,
        };
        if (run.Errors.Count > 0) details["errors"] = run.Errors.Take(20).ToList();
        return new JobOutcome(run.Failures == 0 ? TaskStatuses.Success : TaskStatuses.Failed, details,
            run.Failures == 0 ? null : $"{run.Failures} digest(s) could not be sent; the next run tries again.");
    }
}

/// <summary>Reads the Telegram bot's new messages and links the chats that sent a valid link code.</summary>
public sealed class TelegramUpdatesJob(TelegramLinkService links)
{
    public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
    {
        TelegramPoll poll;
        try
        {
            poll = await links.PollAsync(ct);
        }
        catch (TelegramDeliveryException e)
        {
            return new JobOutcome(TaskStatuses.Failed, new Dictionary<string, object?>(), e.Message);
        }
        if (!poll.Configured) return JobOutcome.Skipped("Telegram is not configured (Telegram:BotToken is empty).");
        return JobOutcome.Success(new Dictionary<string, object?> { ["updates"] = poll.Updates, ["linked"] = poll.Linked, ["refused"] = poll.Refused, ["offset"] = poll.NextOffset });
    }
}

/// <summary>Queues a notification's delivery as a Hangfire job (on any node; only writes to the job storage).</summary>
public sealed class HangfireNotificationDeliveryQueue(IBackgroundJobClient client) : INotificationDeliveryQueue
{
    public Task EnqueueAsync(long notificationId, Guid userId, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var start = new JobStart(JobStart.ChainedKind, Reason: "notification", ForUser: userId);
        client.Create(Job.FromExpression<NotificationDeliveryJob>(j => j.RunAsync(start, notificationId, null, CancellationToken.None)),
            new EnqueuedState(JobQueues.Default));
        return Task.CompletedTask;
    }
}
