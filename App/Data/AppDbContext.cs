using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Audit;
using Signalbook.Features.Email;
using Signalbook.Features.Journal;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;
using Signalbook.Features.Notifications;
using Signalbook.Features.Operations;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Regimes;
using Signalbook.Features.Users;
using Signalbook.Features.Waitlist;
using Signalbook.Jobs;

namespace Signalbook.Data;

/// <summary>
/// The one EF Core model of Signalbook. The schema itself is created by the ordered SQL files in
/// Data/Migrations (see <see cref="MigrationRunner"/>); a test proves the two agree.
/// </summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options)
    : IdentityDbContext<AppUser, AppRole, Guid>(options)
{
    public DbSet<UserSession> Sessions => Set<UserSession>();
    public DbSet<UserSettings> UserSettings => Set<UserSettings>();
    public DbSet<WaitlistEntry> Waitlist => Set<WaitlistEntry>();
    public DbSet<AuditLog> AuditLogs => Set<AuditLog>();
    public DbSet<EmailMessage> EmailOutbox => Set<EmailMessage>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Instrument> Instruments => Set<Instrument>();
    public DbSet<PriceBar> PriceBars => Set<PriceBar>();
    public DbSet<DataSyncLog> DataSyncLog => Set<DataSyncLog>();
    public DbSet<FeatureRow> Features => Set<FeatureRow>();
    public DbSet<MlTrainingJob> MlTrainingJobs => Set<MlTrainingJob>();
    public DbSet<MlModel> MlModels => Set<MlModel>();
    public DbSet<Recommendation> Recommendations => Set<Recommendation>();
    public DbSet<MlPrediction> MlPredictions => Set<MlPrediction>();
    public DbSet<TaskExecution> TaskExecutions => Set<TaskExecution>();
    public DbSet<ServiceStatus> ServiceStatuses => Set<ServiceStatus>();
    public DbSet<RegimeModel> RegimeModels => Set<RegimeModel>();
    public DbSet<Portfolio> Portfolios => Set<Portfolio>();
    public DbSet<PortfolioAsset> PortfolioAssets => Set<PortfolioAsset>();
    public DbSet<Position> Positions => Set<Position>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<Trade> Trades => Set<Trade>();
    public DbSet<PortfolioCashFlow> CashFlows => Set<PortfolioCashFlow>();
    public DbSet<Strategy> Strategies => Set<Strategy>();
    public DbSet<PortfolioAnalytic> Analytics => Set<PortfolioAnalytic>();
    public DbSet<InstrumentSplit> InstrumentSplits => Set<InstrumentSplit>();
    public DbSet<BrokerCredential> BrokerCredentials => Set<BrokerCredential>();
    public DbSet<UserTradingConfig> UserTradingConfigs => Set<UserTradingConfig>();
    public DbSet<ServiceLog> ServiceLogs => Set<ServiceLog>();
    public DbSet<Features.Operations.Errors.ErrorLog> ErrorLogs => Set<Features.Operations.Errors.ErrorLog>();
    public DbSet<Features.Operations.Errors.ErrorGroup> ErrorGroups => Set<Features.Operations.Errors.ErrorGroup>();
    public DbSet<SnapTradeUser> SnapTradeUsers => Set<SnapTradeUser>();
    public DbSet<BrokerConnection> BrokerConnections => Set<BrokerConnection>();
    public DbSet<ImportBatch> ImportBatches => Set<ImportBatch>();
    public DbSet<TradeFill> TradeFills => Set<TradeFill>();
    public DbSet<DecisionContext> DecisionContexts => Set<DecisionContext>();
    public DbSet<CampaignCheck> CampaignChecks => Set<CampaignCheck>();
    public DbSet<CampaignFill> CampaignFills => Set<CampaignFill>();
    public DbSet<CampaignSummary> CampaignSummaries => Set<CampaignSummary>();
    public DbSet<JournalEntry> JournalEntries => Set<JournalEntry>();
    public DbSet<JournalAttachment> JournalAttachments => Set<JournalAttachment>();
    public DbSet<UserRule> UserRules => Set<UserRule>();
    public DbSet<TradePlan> TradePlans => Set<TradePlan>();
    public DbSet<BrokerCsvMapping> BrokerCsvMappings => Set<BrokerCsvMapping>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<UserNotificationPreferences> NotificationPreferences => Set<UserNotificationPreferences>();
    public DbSet<Features.Alerts.AlertRule> AlertRules => Set<Features.Alerts.AlertRule>();
    public DbSet<Features.Alerts.Alert> Alerts => Set<Features.Alerts.Alert>();
    public DbSet<TelegramBotState> TelegramBotStates => Set<TelegramBotState>();
    public DbSet<Features.Operations.Config.ConfigEntry> ConfigEntries => Set<Features.Operations.Config.ConfigEntry>();
    public DbSet<Features.Operations.SystemStatus.Statistic> Statistics => Set<Features.Operations.SystemStatus.Statistic>();
    public DbSet<Features.MarketData.Sync.EmptyRange> SyncEmptyRanges => Set<Features.MarketData.Sync.EmptyRange>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<AppUser>().ToTable("users");
        builder.Entity<AppRole>().ToTable("roles");
        builder.Entity<IdentityUserRole<Guid>>().ToTable("user_roles");
        builder.Entity<IdentityUserClaim<Guid>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<Guid>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<Guid>>().ToTable("user_tokens");
        builder.Entity<IdentityRoleClaim<Guid>>().ToTable("role_claims");

        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        builder.UseSnakeCaseNames();
    }
}
