using MudBlazor;

namespace Signalbook.Components.Shared;

/// <summary>
/// The one map from a status word (of a job run, a training, an email, an invitation, a user, a sync) to a colour.
/// The word carries the meaning; the colour only repeats it.
/// </summary>
public static class StatusColors
{
    public static Color For(string? status) => status?.ToLowerInvariant() switch
    {
        "success" or "succeeded" or "completed" or "sent" or "active" or "ok" or "healthy" or "accepted" or "registered" or "invited" or "buy" => Color.Success,
        "failed" or "error" or "rejected" or "deleted" or "expired" or "revoked" or "unhealthy" or "sell" or "critical" => Color.Error,
        "running" or "processing" or "enqueued" or "scheduled" or "in progress" or "info" => Color.Info,
        "cancelled" or "canceled" or "skipped" or "deactivated" or "paused" or "pending" or "waiting" or "stale" or "warning" or "retrying" or "hold" => Color.Warning,
        _ => Color.Default,
    };
}
