using Signalbook.Features.Alerts;
using Signalbook.Features.Audit;
using Signalbook.Features.Dashboard;
using Signalbook.Features.Email;
using Signalbook.Features.Journal;
using Signalbook.Features.MarketData;
using Signalbook.Features.Notifications;
using Signalbook.Features.Notifications.Centre;
using Signalbook.Features.Operations.Config;
using Signalbook.Features.Operations.SystemStatus;
using Signalbook.Features.Operations;
using Signalbook.Features.Models;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Recommendations;
using Signalbook.Features.Regimes;
using Signalbook.Features.Users;
using Signalbook.Features.Waitlist;

namespace Signalbook;

public static class SignalbookFeatures
{
    /// <summary>
    /// Every feature's services, one <c>AddXxx</c> per feature folder. Program.cs and the test harness both call this,
    /// so a test exercises the registrations the app runs with.
    /// </summary>
    public static IServiceCollection AddSignalbookFeatures(this IServiceCollection services) => services
        .AddSignalbookAudit()
        .AddSignalbookNotifications()
        .AddSignalbookNotificationCentre()
        .AddSignalbookOperations()
        .AddSignalbookEmail()
        .AddSignalbookUsers()
        .AddSignalbookWaitlist()
        .AddSignalbookMarketData()
        .AddSignalbookRegimes()
        .AddSignalbookModels()
        .AddSignalbookRecommendations()
        .AddSignalbookPortfolios()
        .AddSignalbookJournal()
        .AddSignalbookDashboard()
        .AddSignalbookAlerts()
        .AddSignalbookRuntimeConfig()
        .AddSignalbookSystemStatus();
}
