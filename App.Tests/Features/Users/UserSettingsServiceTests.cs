using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Users;

/// <summary>
/// A stored settings document this version cannot read (valid jsonb, a field of the wrong type) must not take down
/// every page that reads it: reads fall back to the defaults and warn with the stored text; the next save replaces it.
/// </summary>
public sealed class UserSettingsServiceTests : ServiceHarness
{
    private readonly Warnings _warnings = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(_warnings);

    [Fact]
    public async Task UnreadableProfile_ReadsAsTheDefaults_WarnsWithTheStoredText_AndTheNextSaveReplacesIt()
    {
        var trader = await CreateUserAsync("unreadable@example.com");
        var other = await CreateUserAsync("readable@example.com");
        await WithAsync<UserSettingsService, TradingProfile>(s => s.UpdateTradingProfileAsync(trader.Id, p => p with { TimeZone = "Asia/Tokyo", AccountBalance = 5_000m }));
        await WithAsync<UserSettingsService, TradingProfile>(s => s.UpdateTradingProfileAsync(other.Id, p => p with { TimeZone = "Europe/Paris" }));
        await using (var db = await DbAsync())
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"UPDATE user_settings SET profile = '{{\"account_balance\": \"lots\", \"time_zone\": \"Asia/Tokyo\"}}'::jsonb, risk_profile = '{{\"max_open_positions\": [1]}}'::jsonb WHERE user_id = {trader.Id}");
        }

        var (profile, risk, _) = await WithAsync<UserSettingsService, (TradingProfile, RiskPreferences, string)>(s => s.GetTradingAsync(trader.Id));
        Assert.Null(profile.AccountBalance);
        Assert.Null(profile.TimeZone);
        Assert.Equal(new RiskPreferences(), risk);
        var warning = Assert.Single(_warnings.Messages, m => m.Contains("user_settings.profile", StringComparison.Ordinal));
        Assert.Contains(trader.Id.ToString(), warning, StringComparison.Ordinal);
        Assert.Contains("\"lots\"", warning, StringComparison.Ordinal);
        Assert.Single(_warnings.Messages, m => m.Contains("user_settings.risk_profile", StringComparison.Ordinal));

        // Another trader's readable document is untouched by any of this.
        var (others, _, _) = await WithAsync<UserSettingsService, (TradingProfile, RiskPreferences, string)>(s => s.GetTradingAsync(other.Id));
        Assert.Equal("Europe/Paris", others.TimeZone);

        // Saving writes a readable document again.
        await WithAsync<UserSettingsService, TradingProfile>(s => s.UpdateTradingProfileAsync(trader.Id, p => p with { TimeZone = "Europe/Paris" }));
        var before = _warnings.Messages.Count;
        var (again, _, _) = await WithAsync<UserSettingsService, (TradingProfile, RiskPreferences, string)>(s => s.GetTradingAsync(trader.Id));
        Assert.Equal("Europe/Paris", again.TimeZone);
        Assert.Equal(before + 1, _warnings.Messages.Count); // only the risk document, still unreadable, warns again
    }

    private sealed class Warnings : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Queue { get; } = new();
        public IReadOnlyCollection<string> Messages => Queue;
        public ILogger CreateLogger(string categoryName) => categoryName == typeof(UserSettingsService).FullName ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) Queue.Enqueue(formatter(state, exception));
        }
        public void Dispose() { }
    }
}
