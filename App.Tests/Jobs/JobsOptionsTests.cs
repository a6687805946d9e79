using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Signalbook.Jobs;

namespace Signalbook.Tests.Jobs;

/// <summary>Jobs configuration is checked at start-up, through the same options pipeline the app validates on start.</summary>
public sealed class JobsOptionsTests
{
    private static JobsOptions Resolve(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)).Append(new("ConnectionStrings:Default", "Host=unused")))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSignalbookJobs(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<JobsOptions>>().Value;
    }

    [Theory]
    [InlineData("market-data-daily-sync", "0 30 16 ? * MON-FRI", "previous scheduler's format")] // the old six-field, seconds-first schedule
    [InlineData("market-data-intraday-sync", "61 * * * *", "not a valid cron expression")]
    [InlineData("features", "every day", "not a valid cron expression")]
    public void InvalidCron_IsRefusedAtStart_NamingTheKey(string job, string cron, string hint)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(($"Jobs:Schedules:{job}", cron)));
        Assert.Contains($"Jobs:Schedules:{job}: '{cron}'", error.Message);
        Assert.Contains(hint, error.Message);
    }

    [Fact]
    public void UnknownJob_IsRefusedAtStart_NamingTheKeyAndTheKnownJobs()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(("Jobs:Schedules:nightly-backup", "0 2 * * *")));
        Assert.Contains("Jobs:Schedules:nightly-backup: no such job", error.Message);
        Assert.Contains("market-data-daily-sync", error.Message);
    }

    [Fact]
    public void ValidOverride_ReplacesTheDefault_AndAnEmptyOneRemovesTheSchedule()
    {
        var options = Resolve(("Jobs:Schedules:features", "0 3 * * *"), ("Jobs:Schedules:market-data-retention", ""), ("Jobs:Queues:training", "0"));
        Assert.Equal("0 3 * * *", options.CronFor(JobCatalog.Find(JobCatalog.Features)!));
        Assert.Null(options.CronFor(JobCatalog.Find(JobCatalog.Retention)!));
        Assert.Equal("30 16 * * MON-FRI", options.CronFor(JobCatalog.Find(JobCatalog.DailySync)!));
        Assert.Equal(new Dictionary<string, int> { ["default"] = 2, ["training"] = 0 }, options.Queues);
    }

    [Fact]
    public void Queues_NeedEveryCatalogueQueue_AndSaneWorkerCounts()
    {
        var options = new JobsOptions { Queues = new() { ["default"] = 40, ["Bad Name"] = 1 } };
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        var messages = results.Select(r => r.ErrorMessage).ToList();
        Assert.Contains(messages, m => m!.StartsWith("Jobs:Queues:training: missing", StringComparison.Ordinal));
        Assert.Contains(messages, m => m!.StartsWith("Jobs:Queues:default: 40 workers", StringComparison.Ordinal));
        Assert.Contains(messages, m => m!.StartsWith("Jobs:Queues:Bad Name:", StringComparison.Ordinal));
    }

    public static TheoryData<string> ScheduledJobs => new(JobCatalog.All.Where(j => j.DefaultCron is not null).Select(j => j.Name));

    [Theory]
    [MemberData(nameof(ScheduledJobs))]
    public void EveryDefaultSchedule_IsAValidFiveFieldCron_InAKnownTimeZone(string name)
    {
        var job = JobCatalog.Find(name)!;
        Assert.True(JobsOptions.IsValidCron(job.DefaultCron!, out var error), error);
        Assert.NotNull(TimeZoneInfo.FindSystemTimeZoneById(job.TimeZone));
    }
}
