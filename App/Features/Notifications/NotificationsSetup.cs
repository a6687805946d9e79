using Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Signalbook.Data;
using Signalbook.Features.Notifications.Delivery;
using Signalbook.Features.Notifications.Preferences;
using Signalbook.Features.Notifications.Telegram;
using Signalbook.Jobs;

namespace Signalbook.Features.Notifications;

public static class NotificationsSetup
{
    /// <summary>
    /// The event bus between nodes, the notifier every feature calls, its delivery (email through the outbox, Telegram
    /// through the bot from section Telegram) and the settings page's service. Deliveries run as Hangfire jobs when the
    /// host registers Hangfire (the app does); a host without it delivers inline, as one attempt.
    /// </summary>
    public static IServiceCollection AddSignalbookNotifications(this IServiceCollection services)
    {
        services.TryAddSingleton<PgEventBus>();
        services.AddOptions<TelegramOptions>().BindConfiguration(TelegramOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(TelegramSender.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<TelegramSender>();
        services.AddSingleton<TelegramLinkService>();
        services.AddSingleton<NotificationDelivery>();
        services.TryAddSingleton<INotificationDeliveryQueue>(sp => sp.GetService<IBackgroundJobClient>() is { } client
            ? new HangfireNotificationDeliveryQueue(client)
            : new InlineNotificationDeliveryQueue(sp.GetRequiredService<NotificationDelivery>()));
        services.AddSingleton<NotificationService>();
        services.AddSingleton<INotifier>(sp => sp.GetRequiredService<NotificationService>());
        services.AddScoped<NotificationPreferencesService>();
        return services;
    }
}
