namespace Signalbook.Features.Notifications;

/// <summary>A message to raise for one user. <see cref="Link"/> is app-relative ("alerts/12").</summary>
public sealed record NotificationRequest(
    Guid UserId,
    string Type,
    string Level,
    string Title,
    string Message,
    string? Link = null,
    string? Symbol = null);

/// <summary>
/// The one way every feature tells a user something: writes the notifications row (the in-app history, announced live
/// to the user's open circuits on every node), then delivers it on each channel the user enabled for its type, holding
/// non-critical messages during quiet hours. Never throws for a delivery problem: those are recorded on the row and retried.
/// </summary>
public interface INotifier
{
    /// <summary>Raises one notification; returns its id.</summary>
    Task<long> NotifyAsync(NotificationRequest request, CancellationToken ct = default);

    /// <summary>Raises the same notification for every active admin; returns how many were raised.</summary>
    Task<int> NotifyAdminsAsync(string type, string level, string title, string message, string? link = null, CancellationToken ct = default);
}
