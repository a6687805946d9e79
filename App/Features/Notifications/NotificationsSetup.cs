using Microsoft.Extensions.DependencyInjection.Extensions;
using Signalbook.Data;

namespace Signalbook.Features.Notifications;

public static class NotificationsSetup
{
    /// <summary>The event bus between nodes and the notifier every feature calls.</summary>
    public static IServiceCollection AddSignalbookNotifications(this IServiceCollection services)
    {
        services.TryAddSingleton<PgEventBus>();
        services.AddSingleton<NotificationService>();
        services.AddSingleton<INotifier>(sp => sp.GetRequiredService<NotificationService>());
        return services;
    }
}
