namespace Signalbook.Features.Journal.SnapTrade;

/// <summary>
/// Which days an incremental sync asks SnapTrade for. SnapTrade filters activities by <c>trade_date</c> and by whole
/// days (startDate/endDate are dates, inclusive), refreshes transactions once a day, and some brokerages post trades
/// late or give dates only; so the window starts <c>overlapDays</c> before the day of the last synced trade. Fills read
/// twice are dropped by their external id (the activity id), so the overlap costs a little reading and nothing else.
/// </summary>
public static class SnapTradeSyncWindow
{
    /// <summary>The startDate for the next sync; null (the whole history) when the account was never synced.</summary>
    public static DateOnly? StartDate(DateTimeOffset? lastSyncedAt, int overlapDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(overlapDays);
        if (lastSyncedAt is not { } last) return null;
        return DateOnly.FromDateTime(last.UtcDateTime).AddDays(-overlapDays);
    }
}
