using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.SnapTrade;

namespace Signalbook.Features.Journal;

public static class JournalSetup
{
    /// <summary>The trading journal: fill imports, campaigns, decision contexts, nudges, entries and statistics.</summary>
    public static IServiceCollection AddSignalbookJournal(this IServiceCollection services)
    {
        services.AddOptions<JournalOptions>().BindConfiguration("Journal").ValidateDataAnnotations().ValidateOnStart();
        return services.AddSignalbookSnapTrade().AddSingleton<CampaignStore>().AddScoped<FillImportService>()
            .AddScoped<Stats.JournalStatsService>().AddScoped<Export.JournalExportService>();
    }
}
