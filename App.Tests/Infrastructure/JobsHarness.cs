using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Jobs;

namespace Signalbook.Tests.Infrastructure;

/// <summary>
/// <see cref="ServiceHarness"/> plus the app's Hangfire set-up (AddSignalbookJobs) on the test database, with short
/// polling intervals. The servers start only when a test calls <see cref="StartServersAsync"/>, and are always
/// stopped when the class is done.
/// </summary>
public class JobsHarness : ServiceHarness
{
    private bool _started;

    protected virtual string NodeName => "jobs-test";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Jobs:NodeName"] = NodeName,
        ["Jobs:QueuePollMilliseconds"] = "100",
        ["Jobs:SchedulePollMilliseconds"] = "200",
        ["Jobs:OverlapWaitSeconds"] = "1",
        ["Jobs:ShutdownTimeoutSeconds"] = "5",
        // Jobs that fire every minute or five of wall-clock time are off, so a test's runs are only its own.
        ["Jobs:Schedules:statistics"] = "",
        ["Jobs:Schedules:notification-digest"] = "",
        ["Jobs:Schedules:telegram-updates"] = "",
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSignalbookJobs(Configuration);

    public async Task StartServersAsync()
    {
        await Services.GetRequiredService<NodeHeartbeat>().BeatAsync(running: true, default);
        _started = true;
        await Services.GetRequiredService<JobServers>().StartAsync(default);
    }

    public override async Task DisposeAsync()
    {
        if (_started) await Services.GetRequiredService<JobServers>().StopAsync(default);
        await base.DisposeAsync();
    }

    /// <summary>The finished runs of a job, oldest first, once there are at least <paramref name="atLeast"/> (or the time is up).</summary>
    public async Task<List<TaskExecution>> FinishedRunsAsync(string task, int atLeast, int seconds = 120)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            await using var db = await DbAsync();
            var runs = await db.TaskExecutions.AsNoTracking().Where(t => t.TaskName == task && t.Status != TaskStatuses.Running).OrderBy(t => t.Id).ToListAsync();
            if (runs.Count >= atLeast || DateTime.UtcNow > until) return runs;
            await Task.Delay(100);
        }
    }
}
