using Signalbook.Features.Notifications;
using Signalbook.Features.Notifications.Delivery;

namespace Signalbook.Tests.Features.Notifications;

/// <summary>Quiet hours in the user's zone, across midnight and daylight-saving changes, and the per-channel plan.</summary>
public sealed class QuietHoursTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, TimeSpan.Zero);

    private static readonly TimeOnly Ten = new(22, 0), Seven = new(7, 0);

    [Fact]
    public void Tokyo_AcrossMidnight_EndsAtSevenLocal_TheNextMorningOrTheSameMorning()
    {
        // 23:00 JST on 10 January (14:00 UTC): quiet until 07:00 JST on the 11th = 22:00 UTC on the 10th.
        Assert.Equal(Utc(2026, 1, 10, 22, 0), QuietHours.EndIfInside(Ten, Seven, Utc(2026, 1, 10, 14, 0), Tokyo));
        // 01:30 JST on the 11th (16:30 UTC on the 10th): the same morning's 07:00.
        Assert.Equal(Utc(2026, 1, 10, 22, 0), QuietHours.EndIfInside(Ten, Seven, Utc(2026, 1, 10, 16, 30), Tokyo));
        // 07:00 JST exactly is outside (the end is exclusive); 21:59 JST too.
        Assert.Null(QuietHours.EndIfInside(Ten, Seven, Utc(2026, 1, 10, 22, 0), Tokyo));
        Assert.Null(QuietHours.EndIfInside(Ten, Seven, Utc(2026, 1, 10, 12, 59), Tokyo));
        // 22:00 JST exactly is inside (the start is inclusive).
        Assert.NotNull(QuietHours.EndIfInside(Ten, Seven, Utc(2026, 1, 10, 13, 0), Tokyo));
    }

    [Fact]
    public void Paris_SpringForwardNight_EndsAtSevenSummerTime()
    {
        // 23:30 CET on 28 March 2026 (22:30 UTC); the clocks go forward at 02:00 on the 29th: 07:00 CEST = 05:00 UTC.
        Assert.Equal(Utc(2026, 3, 29, 5, 0), QuietHours.EndIfInside(Ten, Seven, Utc(2026, 3, 28, 22, 30), Paris));
        // A winter night ends at 07:00 CET = 06:00 UTC.
        Assert.Equal(Utc(2026, 1, 16, 6, 0), QuietHours.EndIfInside(Ten, Seven, Utc(2026, 1, 15, 22, 30), Paris));
    }

    [Fact]
    public void Paris_AutumnNight_EndsAtSevenWinterTime()
    {
        // 23:00 CEST on 24 October 2026 (21:00 UTC); clocks go back at 03:00 on the 25th: 07:00 CET = 06:00 UTC.
        Assert.Equal(Utc(2026, 10, 25, 6, 0), QuietHours.EndIfInside(Ten, Seven, Utc(2026, 10, 24, 21, 0), Paris));
    }

    [Fact]
    public void NewYork_SpringForward_AndAnEndInsideTheGap()
    {
        // 22:00 EST on 7 March 2026 (03:00 UTC on the 8th); DST starts at 02:00 on the 8th: 07:00 EDT = 11:00 UTC.
        Assert.Equal(Utc(2026, 3, 8, 11, 0), QuietHours.EndIfInside(Ten, Seven, Utc(2026, 3, 8, 3, 0), NewYork));
        // Quiet until 02:30, which does not exist that night: it ends when the clocks jump, 03:00 EDT = 07:00 UTC.
        Assert.Equal(Utc(2026, 3, 8, 7, 0), QuietHours.EndIfInside(Ten, new TimeOnly(2, 30), Utc(2026, 3, 8, 4, 0), NewYork));
        // In November, 01:30 happens twice: the first one (EDT, 05:30 UTC) ends it.
        Assert.Equal(Utc(2026, 11, 1, 5, 30), QuietHours.EndIfInside(Ten, new TimeOnly(1, 30), Utc(2026, 11, 1, 3, 0), NewYork));
    }

    [Fact]
    public void ASameDayWindow_AndNoWindow()
    {
        var (start, end) = (new TimeOnly(12, 0), new TimeOnly(14, 0));
        // 13:00 in New York in summer (17:00 UTC): ends at 14:00 EDT = 18:00 UTC.
        Assert.Equal(Utc(2026, 7, 1, 18, 0), QuietHours.EndIfInside(start, end, Utc(2026, 7, 1, 17, 0), NewYork));
        Assert.Null(QuietHours.EndIfInside(start, end, Utc(2026, 7, 1, 19, 0), NewYork));
        Assert.Null(QuietHours.EndIfInside(null, null, Utc(2026, 7, 1, 17, 0), NewYork));
        Assert.Null(QuietHours.EndIfInside(start, start, Utc(2026, 7, 1, 16, 0), NewYork));
    }

    private static UserNotificationPreferences Prefs(bool email = true, bool telegram = true) => new()
    {
        EmailEnabled = email, EmailAddress = "a@example.com", TelegramEnabled = telegram, TelegramChatId = "42",
        QuietHoursStart = Ten, QuietHoursEnd = Seven,
    };

    [Fact]
    public void Plan_TypeSwitchOff_NotRequestedOnEveryChannel()
    {
        var p = Prefs();
        p.NotifyTradingEvents = false;
        var plan = DeliveryPlanner.Plan(p, NotificationTypes.Trading, NotificationLevels.Critical, Utc(2026, 1, 10, 3, 0), Tokyo);
        Assert.Equal((DeliveryStatuses.NotRequested, DeliveryStatuses.NotRequested, (DateTimeOffset?)null), (plan.EmailStatus, plan.TelegramStatus, plan.HeldUntil));
        // The other types still go.
        Assert.Equal(DeliveryStatuses.Pending, DeliveryPlanner.Plan(p, NotificationTypes.Service, NotificationLevels.Info, Utc(2026, 1, 10, 3, 0), Tokyo).EmailStatus);
    }

    [Fact]
    public void Plan_QuietHours_HoldNonCritical_CriticalGoesNow_ChannelsOffStayOff()
    {
        var night = Utc(2026, 1, 10, 14, 0); // 23:00 in Tokyo
        var held = DeliveryPlanner.Plan(Prefs(telegram: false), NotificationTypes.Service, NotificationLevels.Error, night, Tokyo);
        Assert.Equal(DeliveryStatuses.Held, held.EmailStatus);
        Assert.Equal(DeliveryStatuses.NotRequested, held.TelegramStatus);
        Assert.Equal(Utc(2026, 1, 10, 22, 0), held.HeldUntil);

        var critical = DeliveryPlanner.Plan(Prefs(), NotificationTypes.Service, NotificationLevels.Critical, night, Tokyo);
        Assert.Equal((DeliveryStatuses.Pending, DeliveryStatuses.Pending), (critical.EmailStatus, critical.TelegramStatus));
        Assert.Null(critical.HeldUntil);

        // The same instant is 15:00 in Paris: not quiet there.
        Assert.Equal(DeliveryStatuses.Pending, DeliveryPlanner.Plan(Prefs(), NotificationTypes.Service, NotificationLevels.Info, night, Paris).EmailStatus);

        // Telegram enabled without a linked chat, or email without an address: not requested.
        var unlinked = Prefs();
        unlinked.TelegramChatId = null;
        unlinked.EmailAddress = " ";
        var none = DeliveryPlanner.Plan(unlinked, NotificationTypes.Service, NotificationLevels.Info, Utc(2026, 1, 10, 3, 0), Tokyo);
        Assert.False(none.AnyPending);
    }
}
