namespace Signalbook.Features.Notifications.Delivery;

/// <summary>
/// Quiet hours: a daily window of local times in the user's time zone, from <c>Start</c> (inclusive) to <c>End</c>
/// (exclusive). A start after the end spans midnight (22:00–07:00); equal times mean no quiet hours. Worked on local
/// wall-clock times, so the window follows daylight-saving changes: 07:00 is 07:00 on the morning the clocks moved.
/// </summary>
public static class QuietHours
{
    /// <summary>
    /// When the quiet hours that contain <paramref name="nowUtc"/> end (as a UTC instant), or null when
    /// <paramref name="nowUtc"/> is outside them (or there are none). An end that falls in a spring-forward gap ends at the
    /// first valid local time after it; an end that occurs twice (autumn) ends at its first occurrence.
    /// </summary>
    public static DateTimeOffset? EndIfInside(TimeOnly? start, TimeOnly? end, DateTimeOffset nowUtc, TimeZoneInfo zone)
    {
        if (start is not { } s || end is not { } e || s == e) return null;
        var local = TimeZoneInfo.ConvertTime(nowUtc, zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        DateOnly endDay;
        if (s < e)
        {
            if (time < s || time >= e) return null;
            endDay = today;
        }
        else if (time >= s) endDay = today.AddDays(1);
        else if (time < e) endDay = today;
        else return null;
        return ToUtc(endDay.ToDateTime(e), zone);
    }

    /// <summary>A local wall-clock time of <paramref name="zone"/> as a UTC instant (gap: moved forward; overlap: the first).</summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var guard = 0;
        while (zone.IsInvalidTime(local) && guard++ < 24 * 60) local = local.AddMinutes(1);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}

/// <summary>What happens to one new notification on each outbound channel.</summary>
public sealed record DeliveryPlan(string EmailStatus, string TelegramStatus, DateTimeOffset? HeldUntil)
{
    public bool AnyPending => EmailStatus == DeliveryStatuses.Pending || TelegramStatus == DeliveryStatuses.Pending;
}

/// <summary>
/// Decides, from the user's preferences, each outbound channel of a new notification: not requested (channel off, no
/// address or chat, or the type switched off; the in-app row is kept either way), held until the quiet hours end
/// (non-critical messages during quiet hours), or pending (to be sent now). Critical messages always go now.
/// </summary>
public static class DeliveryPlanner
{
    public static bool TypeEnabled(UserNotificationPreferences p, string type) => type switch
    {
        NotificationTypes.Service => p.NotifyServiceEvents,
        NotificationTypes.Trading => p.NotifyTradingEvents,
        NotificationTypes.System => p.NotifySystemEvents,
        NotificationTypes.Error => p.NotifyErrors,
        _ => false,
    };

    public static bool EmailOn(UserNotificationPreferences p) => p.EmailEnabled && !string.IsNullOrWhiteSpace(p.EmailAddress);

    public static bool TelegramOn(UserNotificationPreferences p) => p.TelegramEnabled && !string.IsNullOrWhiteSpace(p.TelegramChatId);

    public static DeliveryPlan Plan(UserNotificationPreferences p, string type, string level, DateTimeOffset nowUtc, TimeZoneInfo zone)
    {
        var typeOn = TypeEnabled(p, type);
        var email = typeOn && EmailOn(p);
        var telegram = typeOn && TelegramOn(p);
        if (!email && !telegram) return new DeliveryPlan(DeliveryStatuses.NotRequested, DeliveryStatuses.NotRequested, null);
        var heldUntil = level == NotificationLevels.Critical ? null : QuietHours.EndIfInside(p.QuietHoursStart, p.QuietHoursEnd, nowUtc, zone);
        var requested = heldUntil is null ? DeliveryStatuses.Pending : DeliveryStatuses.Held;
        return new DeliveryPlan(email ? requested : DeliveryStatuses.NotRequested, telegram ? requested : DeliveryStatuses.NotRequested, heldUntil);
    }
}
