using System.Net;
using System.Text.Json;
using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Signalbook.Data;
using Signalbook.Features.Operations;
using Signalbook.Features.Operations.Errors;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Operations;

/// <summary>
/// A request that fails is captured by the whole app (its exception handler logs it, the provider hands it over, the
/// background pump records it) with its route and user, and admins are told of the new group.
/// </summary>
public sealed class RequestErrorCaptureTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task AFailingRequest_IsRecordedInErrorLogs_WithItsRouteAndUser_AndTheAdminsAreNotified()
    {
        var client = await app.SignedInAsync(AppFactory.TraderEmail, AppFactory.DemoPassword);
        var factory = app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        Guid traderId;
        await using (var db = await factory.CreateDbContextAsync())
        {
            traderId = await db.Users.Where(u => u.Email == AppFactory.TraderEmail).Select(u => u.Id).SingleAsync();
            // A column the page's first read needs is gone (this class's own database): that query throws.
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE user_settings RENAME COLUMN profile TO profile_hidden");
        }

        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync("/trading-service/logs");
        }
        finally
        {
            await using var db = await factory.CreateDbContextAsync();
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE user_settings RENAME COLUMN profile_hidden TO profile");
        }
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);

        ErrorLog? error = null;
        for (var i = 0; i < 100 && error is null; i++)
        {
            await using var db = await factory.CreateDbContextAsync();
            error = await db.ErrorLogs.AsNoTracking().FirstOrDefaultAsync(e => e.ErrorType == "Npgsql.PostgresException");
            if (error is null) await Task.Delay(100);
        }
        Assert.NotNull(error);
        Assert.Equal(traderId, error.UserId);
        using var context = JsonDocument.Parse(error.Context!);
        Assert.Equal("/trading-service/logs", context.RootElement.GetProperty("Route").GetString());
        Assert.Equal("request", context.RootElement.GetProperty("Source").GetString());
        Assert.Contains("UserSettingsService", error.Traceback);
        // The admins are told after the error's own transaction commits, so the notice can trail the error row.
        var notified = false;
        for (var i = 0; i < 100 && !notified; i++)
        {
            await using var db = await factory.CreateDbContextAsync();
            var group = await db.ErrorGroups.SingleAsync(g => g.Fingerprint == error.Fingerprint);
            notified = await db.Notifications.AnyAsync(n => n.Type == "error" && n.Link == $"admin/errors/{group.Id}");
            if (!notified) await Task.Delay(100);
        }
        Assert.True(notified, "no admin notification links to the new error group within 10 s");
    }
}

/// <summary>A Hangfire job that fails is captured with the job's name and source.</summary>
public sealed class JobErrorCaptureTests : JobsHarness
{
    protected override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddSingleton(new JobDefinition(BrokenJob.Name, "Fails once.", typeof(BrokenJob), null));
        services.AddTransient<BrokenJob>();
        services.AddLogging(b => b.AddSignalbookDatabase());
    }

    [Fact]
    public async Task AFailingJob_IsRecordedInErrorLogs_WithTheJobAndSource()
    {
        await StartServersAsync();
        Services.GetRequiredService<IBackgroundJobClient>().Create(
            Job.FromExpression<BrokenJob>(j => j.RunAsync(JobStart.Manual(null), null, CancellationToken.None)), new EnqueuedState());
        var runs = await FinishedRunsAsync(BrokenJob.Name, 1);
        Assert.Equal(TaskStatuses.Failed, Assert.Single(runs).Status);

        await Services.GetRequiredService<ErrorCapture>().FlushAsync();
        await using var db = await DbAsync();
        var error = await db.ErrorLogs.SingleAsync(e => e.ErrorType == "System.IO.InvalidDataException");
        Assert.Equal("quote file truncated", error.ErrorMessage);
        using var context = JsonDocument.Parse(error.Context!);
        Assert.Equal("job", context.RootElement.GetProperty("Source").GetString());
        Assert.Equal(BrokenJob.Name, context.RootElement.GetProperty("Job").GetString());
        Assert.Equal(NodeName, context.RootElement.GetProperty("Node").GetString());
        Assert.Contains(nameof(BrokenJob), error.Traceback);
    }

    public sealed class BrokenJob
    {
        public const string Name = "test-broken";

        public Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
            => throw new InvalidDataException("quote file truncated");
    }
}
