using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Contexts;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Journal.SnapTrade;
using Signalbook.Features.Journal.Trades;

namespace Signalbook.Features.Journal;

public static class JournalSetup
{
    /// <summary>The trading journal: fill imports, campaigns, decision contexts, nudges, entries and statistics.</summary>
    public static IServiceCollection AddSignalbookJournal(this IServiceCollection services)
    {
        services.AddOptions<JournalOptions>().BindConfiguration("Journal").ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<CampaignQueryService>();
        services.AddScoped<DecisionContextService>();
        services.AddScoped<ManualFillService>();
        services.AddScoped<Entries.JournalEntryService>();
        services.AddScoped<Rules.UserRuleService>();
        services.AddScoped<Plans.TradePlanService>();
        return services.AddSignalbookSnapTrade().AddSingleton<CampaignStore>().AddScoped<FillImportService>()
            .AddScoped<MarketSnapshotService>().AddScoped<JournalNudgeService>()
            .AddScoped<BrokerCsvMappingService>().AddScoped<SnapTradeSyncService>()
            .AddScoped<Stats.JournalStatsService>().AddScoped<Export.JournalExportService>();
    }
}
