using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Notifications;
using Signalbook.Jobs;
using Signalbook.Tests.Features.Email;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Notifications;

/// <summary>
/// The delivery as the app runs it: the notifier queues a Hangfire job, Hangfire retries it with the definition's
/// backoff (one second here, instead of minutes), and the last attempt records the channel as failed.
/// </summary>
public sealed class NotificationJobsTests : JobsHarness
{
    private readonly int _closed = SmtpListener.ClosedPort();

    protected override string NodeName => "notify-jobs-test";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = _closed.ToString(CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Smtp:TimeoutSeconds"] = "5",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        // Registered before the catalogue's: the registry keeps the first definition of a name.
        services.AddSingleton(JobCatalog.Find(JobCatalog.NotificationDelivery)! with { RetryAttempts = 2, RetryDelaysSeconds = [1, 1] });
        base.ConfigureServices(services);
    }

    [Fact]
    public async Task AnSmtpOutage_IsRetriedByHangfireWithBackoff_ThenTheEmailIsMarkedFailed()
    {
        var user = await CreateUserAsync("olga@example.com");
        await using (var db = await DbAsync())
        {
            await NotificationPreferencesStore.EnsureAsync(db, user.Id, default);
            await db.NotificationPreferences.Where(p => p.UserId == user.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.EmailEnabled, true));
        }
        var id = await Services.GetRequiredService<INotifier>().NotifyAsync(
            new NotificationRequest(user.Id, NotificationTypes.Service, NotificationLevels.Error, "Trading service failed", "3 errors"));

        await StartServersAsync();
        var runs = await FinishedRunsAsync(JobCatalog.NotificationDelivery, 3, seconds: 90);

        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.Equal(user.Id, r.UserId));
        Assert.All(runs, r => Assert.Equal(TaskStatuses.Failed, r.Status));
        Assert.Contains("retry 1 of 2 follows", runs[0].Details);
        await using var check = await DbAsync();
        var row = await check.Notifications.AsNoTracking().SingleAsync(n => n.Id == id);
        Assert.Equal((DeliveryStatuses.Failed, 3), (row.EmailStatus, row.DeliveryAttempts));
        Assert.Contains($"127.0.0.1:{_closed}", row.DeliveryError);
    }
}
