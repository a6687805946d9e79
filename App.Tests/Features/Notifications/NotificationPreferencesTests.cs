using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Notifications.Preferences;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Notifications;

/// <summary>Settings → Notifications' service: defaults, saving, ownership and bad input.</summary>
public sealed class NotificationPreferencesTests : ServiceHarness
{
    private static NotificationSettingsInput Input(string? email = "alerts@example.com", bool emailOn = true, TimeOnly? start = null, TimeOnly? end = null,
        string? zone = "Europe/Paris", bool telegram = false, bool trading = true)
        => new(emailOn, email, telegram, true, trading, true, false, start, end, zone);

    [Fact]
    public async Task Defaults_AreTheSeeds_WithTheAccountEmail_CreatedOnFirstRead()
    {
        var ana = await CreateUserAsync("ana@example.com");

        var s = await WithAsync<NotificationPreferencesService, NotificationSettings>(p => p.GetAsync(ana.Id));

        Assert.Equal(("ana@example.com", false, false, false), (s.EmailAddress, s.EmailEnabled, s.TelegramEnabled, s.TelegramLinked));
        Assert.True(s.NotifyServiceEvents && s.NotifyTradingEvents && s.NotifySystemEvents && s.NotifyErrors);
        Assert.Null(s.QuietHoursStart);
        Assert.False(s.TelegramAvailable); // no bot token in this harness
        await using var db = await DbAsync();
        Assert.True((await db.NotificationPreferences.SingleAsync(p => p.UserId == ana.Id)).InAppEnabled);
    }

    [Fact]
    public async Task Save_StoresEveryField_AndTheZoneInTheTradingProfile()
    {
        var ana = await CreateUserAsync("ana@example.com");

        var errors = await WithAsync<NotificationPreferencesService, IReadOnlyList<SettingsError>>(p =>
            p.SaveAsync(ana.Id, Input(" alerts@example.com ", start: new TimeOnly(22, 0), end: new TimeOnly(7, 0), trading: false)));

        Assert.Empty(errors);
        var s = await WithAsync<NotificationPreferencesService, NotificationSettings>(p => p.GetAsync(ana.Id));
        Assert.Equal(("alerts@example.com", true, false, false), (s.EmailAddress, s.EmailEnabled, s.NotifyTradingEvents, s.NotifyErrors));
        Assert.Equal((new TimeOnly(22, 0), new TimeOnly(7, 0), "Europe/Paris"), (s.QuietHoursStart!.Value, s.QuietHoursEnd!.Value, s.TimeZone));
        var (profile, _, _) = await WithAsync<UserSettingsService, (TradingProfile, RiskPreferences, string)>(u => u.GetTradingAsync(ana.Id));
        Assert.Equal("Europe/Paris", profile.TimeZone);
    }

    [Fact]
    public async Task OneUser_NeitherReadsNorChangesAnothersPreferences()
    {
        var ana = await CreateUserAsync("ana@example.com");
        var bob = await CreateUserAsync("bob@example.com");
        await WithAsync<NotificationPreferencesService, IReadOnlyList<SettingsError>>(p => p.SaveAsync(ana.Id, Input("ana.alerts@example.com", zone: "Asia/Tokyo")));

        var bobs = await WithAsync<NotificationPreferencesService, NotificationSettings>(p => p.GetAsync(bob.Id));
        Assert.Equal(("bob@example.com", false, null), (bobs.EmailAddress, bobs.EmailEnabled, bobs.TimeZone));
        await WithAsync<NotificationPreferencesService, IReadOnlyList<SettingsError>>(p => p.SaveAsync(bob.Id, Input("bob.alerts@example.com", emailOn: false, zone: "America/New_York")));

        var anas = await WithAsync<NotificationPreferencesService, NotificationSettings>(p => p.GetAsync(ana.Id));
        Assert.Equal(("ana.alerts@example.com", true, "Asia/Tokyo"), (anas.EmailAddress, anas.EmailEnabled, anas.TimeZone));
        await using var db = await DbAsync();
        Assert.Equal(2, await db.NotificationPreferences.CountAsync());
    }

    [Theory]
    [InlineData("not-an-email", true, null, null, "Europe/Paris", false, NotificationPreferencesService.EmailField, "'not-an-email' is not a valid email address")]
    [InlineData("", true, null, null, "Europe/Paris", false, NotificationPreferencesService.EmailField, "Enter the email address")]
    [InlineData("a@example.com", true, "22:00", null, "Europe/Paris", false, NotificationPreferencesService.QuietHoursField, "both a start and an end")]
    [InlineData("a@example.com", true, "07:00", "07:00", "Europe/Paris", false, NotificationPreferencesService.QuietHoursField, "different times")]
    [InlineData("a@example.com", true, null, null, "Mars/Olympus", false, NotificationPreferencesService.TimeZoneField, "'Mars/Olympus' is not a time zone")]
    [InlineData("a@example.com", true, null, null, "Europe/Paris", true, NotificationPreferencesService.TelegramField, "Link your Telegram chat first")]
    public async Task BadInput_IsRefusedWithAMessageNamingTheProblem_AndNothingIsWritten(string email, bool emailOn, string? start, string? end, string zone,
        bool telegram, string field, string message)
    {
        var ana = await CreateUserAsync("ana@example.com");
        var input = Input(email, emailOn, start is null ? null : TimeOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            end is null ? null : TimeOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture), zone, telegram);

        var errors = await WithAsync<NotificationPreferencesService, IReadOnlyList<SettingsError>>(p => p.SaveAsync(ana.Id, input));

        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
        var s = await WithAsync<NotificationPreferencesService, NotificationSettings>(p => p.GetAsync(ana.Id));
        Assert.Equal(("ana@example.com", false, null), (s.EmailAddress, s.EmailEnabled, s.TimeZone));
    }

    [Fact]
    public async Task TestEmail_WithoutSmtp_IsWrittenToTheOutbox_AndSaysSo()
    {
        var ana = await CreateUserAsync("ana@example.com");

        var result = await WithAsync<NotificationPreferencesService, TestSendResult>(p => p.SendTestEmailAsync(ana.Id));

        Assert.True(result.Ok);
        Assert.Contains("written to the outbox", result.Message);
        await using var db = await DbAsync();
        Assert.Equal("ana@example.com", (await db.EmailOutbox.SingleAsync()).ToAddress);
        var telegram = await WithAsync<NotificationPreferencesService, TestSendResult>(p => p.SendTestTelegramAsync(ana.Id));
        Assert.Equal((false, "Link your Telegram chat first."), (telegram.Ok, telegram.Message));
    }
}
