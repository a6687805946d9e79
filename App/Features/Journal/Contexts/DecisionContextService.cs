using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Users;

namespace Signalbook.Features.Journal.Contexts;

/// <summary>
/// The trader's reasoning per fill (one decision context per fill). Saving one stores what Signalbook knew at the fill's
/// time (the snapshot, taken when the context is created and kept on later edits, so an edit never rewrites history),
/// runs the trader's rules on it (campaign_checks), and rebuilds the fill's campaign series, because R and the strategy of
/// a campaign come from its opening fill's context. Every call is scoped to the caller; a Viewer cannot write.
/// </summary>
public sealed class DecisionContextService(
    IDbContextFactory<AppDbContext> factory,
    MarketSnapshotService snapshots,
    JournalNudgeService nudges,
    UserSettingsService settings,
    CampaignStore campaigns,
    TimeProvider clock)
{
    public const int MaxHypothesis = 4000;
    public const int MaxNotes = 8000;
    public const int MaxTimeStop = 100;

    /// <summary>Creates or edits the context of the caller's fill <paramref name="fillId"/>; returns the checks stored on it.</summary>
    public async Task<ContextSaved> UpsertAsync(JournalCaller caller, long fillId, DecisionContextInput input, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        await using var db = await factory.CreateDbContextAsync(ct);
        var fill = await db.TradeFills.AsNoTracking().Where(f => f.Id == fillId && f.UserId == caller.UserId)
            .Select(f => new { f.Id, f.Symbol, f.AssetType, f.Side, f.Price, f.ExecutedAt, f.ReversesFillId })
            .SingleOrDefaultAsync(ct) ?? throw new JournalNotFoundException($"Fill {fillId}");
        if (fill.ReversesFillId is not null) throw new JournalValidationException("Fill", "This fill is a correction's reversal; write the context on the fill it corrects or on its replacement.");

        var (direction, entryAverage) = await DirectionAsync(db, caller.UserId, fill.Id, fill.Side, ct);
        var reference = (direction == "long") == (fill.Side == FillSide.Buy) ? fill.Price : entryAverage;
        await ValidateAsync(db, caller.UserId, input, direction, reference, ct);

        var now = clock.GetUtcNow();
        var context = await db.DecisionContexts.SingleOrDefaultAsync(c => c.FillId == fill.Id && c.UserId == caller.UserId, ct);
        var created = context is null;
        var previous = new List<(string Type, string Phase, bool Acknowledged, string? Action)>();
        if (context is null)
        {
            var (_, _, profile) = await settings.GetTradingAsync(caller.UserId, ct);
            var snapshot = await snapshots.AtAsync(fill.Symbol, fill.ExecutedAt, profile, ct);
            context = new DecisionContext { UserId = caller.UserId, FillId = fill.Id, Snapshot = snapshot.ToJson(), CreatedAt = now };
            db.DecisionContexts.Add(context);
        }
        else
        {
            previous = (await db.CampaignChecks.AsNoTracking().Where(c => c.DecisionContextId == context.Id && c.Acknowledged)
                .Select(c => new { c.CheckType, c.CheckPhase, c.Acknowledged, c.TraderAction }).ToListAsync(ct))
                .Select(c => (c.CheckType, c.CheckPhase, c.Acknowledged, c.TraderAction)).ToList();
        }
        context.ContextType = input.ContextType;
        context.StrategyId = input.StrategyId;
        context.Hypothesis = Clean(input.Hypothesis);
        context.ExitIntent = ContextJson.Write(input.ExitIntent);
        context.FeelingsThen = ContextJson.Write(Normalise(input.FeelingsThen));
        context.FeelingsNow = ContextJson.Write(Normalise(input.FeelingsNow));
        context.Notes = Clean(input.Notes);
        context.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new JournalValidationException("Fill", "This fill got a context from another window at the same time. Reload the page and edit that one.");
        }

        var stored = await nudges.CheckContextAsync(caller.UserId, context.Id, ct);
        if (previous.Count > 0)
        {
            // Re-checking replaces a phase's checks; an acknowledgement the trader already gave to the same check stays.
            foreach (var check in stored.Where(s => previous.Any(p => p.Type == s.CheckType && p.Phase == s.CheckPhase)))
            {
                var p = previous.First(x => x.Type == check.CheckType && x.Phase == check.CheckPhase);
                await db.CampaignChecks.Where(c => c.Id == check.Id).ExecuteUpdateAsync(u => u.SetProperty(c => c.Acknowledged, true).SetProperty(c => c.TraderAction, p.Action), ct);
            }
        }
        await RebuildAsync(db, caller.UserId, [new SeriesKey(fill.Symbol, fill.AssetType)], ct);
        return new ContextSaved(context.Id, created, await ChecksAsync(db, caller.UserId, context.Id, ct));
    }

    /// <summary>Records that the trader saw a check's nudge and, optionally, what they did (proceeded, modified, cancelled).</summary>
    public async Task<CheckView> AcknowledgeCheckAsync(JournalCaller caller, long checkId, string? traderAction = null, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        if (traderAction is not null && !TraderActions.All.Contains(traderAction))
        {
            throw new JournalValidationException("TraderAction", $"'{traderAction}' is not one of: {string.Join(", ", TraderActions.All)}.");
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        var updated = await db.CampaignChecks.Where(c => c.Id == checkId && c.UserId == caller.UserId)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Acknowledged, true).SetProperty(c => c.TraderAction, traderAction), ct);
        if (updated == 0) throw new JournalNotFoundException($"Check {checkId}");
        return await db.CampaignChecks.AsNoTracking().Where(c => c.Id == checkId).Select(ToView).SingleAsync(ct);
    }

    /// <summary>Deletes a context and its checks; the campaign loses the R and strategy it gave (rebuilt).</summary>
    public async Task DeleteAsync(JournalCaller caller, long contextId, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        await using var db = await factory.CreateDbContextAsync(ct);
        var found = await db.DecisionContexts.AsNoTracking().Where(c => c.Id == contextId && c.UserId == caller.UserId)
            .Join(db.TradeFills, c => c.FillId, f => f.Id, (c, f) => new { f.Symbol, f.AssetType })
            .SingleOrDefaultAsync(ct) ?? throw new JournalNotFoundException($"Decision context {contextId}");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.DecisionContexts.Where(c => c.Id == contextId && c.UserId == caller.UserId).ExecuteDeleteAsync(ct);
        await campaigns.RebuildAsync((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction(), caller.UserId,
            [new SeriesKey(found.Symbol, found.AssetType)], ct);
        await tx.CommitAsync(ct);
    }

    internal static readonly System.Linq.Expressions.Expression<Func<CampaignCheck, CheckView>> ToView = c =>
        new CheckView(c.Id, c.DecisionContextId, c.CheckType, c.Severity, c.Passed, c.NudgeText, c.Acknowledged, c.TraderAction, c.CheckPhase, c.CheckedAt);

    private static async Task<IReadOnlyList<CheckView>> ChecksAsync(AppDbContext db, Guid userId, long contextId, CancellationToken ct)
        => await db.CampaignChecks.AsNoTracking().Where(c => c.DecisionContextId == contextId && c.UserId == userId)
            .OrderBy(c => c.Passed).ThenByDescending(c => c.Severity == NudgeSeverities.Critical).ThenBy(c => c.Id).Select(ToView).ToListAsync(ct);

    private async Task RebuildAsync(AppDbContext db, Guid userId, IReadOnlyCollection<SeriesKey> series, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await campaigns.RebuildAsync((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction(), userId, series, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The direction of the position the fill belongs to, and that campaign's entry average: the campaign the fill opens
    /// when it opens one (a flip fill is in two), else the one it is in; a fill in no campaign yet: its side.
    /// </summary>
    private static async Task<(string Direction, decimal EntryAverage)> DirectionAsync(AppDbContext db, Guid userId, long fillId, FillSide side, CancellationToken ct)
    {
        var campaign = await db.CampaignFills.AsNoTracking().Where(cf => cf.FillId == fillId)
            .Join(db.CampaignSummaries.Where(s => s.UserId == userId), cf => cf.GroupId, s => s.GroupId, (cf, s) => new { s.GroupId, s.Direction, s.EntryAverage })
            .OrderByDescending(s => s.GroupId == fillId).ThenBy(s => s.GroupId)
            .FirstOrDefaultAsync(ct);
        return campaign is null ? (side == FillSide.Buy ? "long" : "short", 0m) : (campaign.Direction, campaign.EntryAverage);
    }

    private static async Task ValidateAsync(AppDbContext db, Guid userId, DecisionContextInput input, string direction, decimal reference, CancellationToken ct)
    {
        if (!DecisionContextTypes.All.Contains(input.ContextType))
        {
            throw new JournalValidationException("ContextType", "Choose what this fill was: an entry, an add, a reduce, an exit, an idea or a post-trade reflection.");
        }
        if (input.StrategyId is { } sid && !await db.Strategies.AnyAsync(s => s.Id == sid && s.UserId == userId, ct))
        {
            throw new JournalValidationException("StrategyId", "Choose one of your own strategies (or none).");
        }
        if (input.Hypothesis?.Trim().Length > MaxHypothesis) throw new JournalValidationException("Hypothesis", $"The hypothesis is limited to {MaxHypothesis} characters.");
        if (input.Notes?.Trim().Length > MaxNotes) throw new JournalValidationException("Notes", $"Notes are limited to {MaxNotes} characters.");
        if (input.ExitIntent is { } exit)
        {
            var isLong = direction == "long";
            if (exit.Stop is { } stop)
            {
                if (stop <= 0) throw new JournalValidationException("Stop", "The stop must be a price above zero.");
                if (reference > 0 && (isLong ? stop >= reference : stop <= reference))
                {
                    throw new JournalValidationException("Stop", isLong
                        ? $"For a long position the stop must be below the entry ({reference:0.####}); {stop:0.####} is not."
                        : $"For a short position the stop must be above the entry ({reference:0.####}); {stop:0.####} is not.");
                }
            }
            if (exit.Target is { } target)
            {
                if (target <= 0) throw new JournalValidationException("Target", "The target must be a price above zero.");
                if (reference > 0 && (isLong ? target <= reference : target >= reference))
                {
                    throw new JournalValidationException("Target", isLong
                        ? $"For a long position the target must be above the entry ({reference:0.####})."
                        : $"For a short position the target must be below the entry ({reference:0.####}).");
                }
            }
            if (exit.TimeStop?.Trim().Length > MaxTimeStop) throw new JournalValidationException("TimeStop", $"The time stop is limited to {MaxTimeStop} characters.");
        }
        ValidateFeelings(input.FeelingsThen, "FeelingsThen");
        ValidateFeelings(input.FeelingsNow, "FeelingsNow");
    }

    private static void ValidateFeelings(Feelings? feelings, string field)
    {
        if (feelings is null || feelings.IsEmpty) return;
        var unknown = feelings.Emotions.FirstOrDefault(e => !Emotions.All.Contains(e));
        if (unknown is not null) throw new JournalValidationException(field, $"'{unknown}' is not one of the emotions: {string.Join(", ", Emotions.All)}.");
        if (feelings.Intensity is not { } i || i < Emotions.MinIntensity || i > Emotions.MaxIntensity)
        {
            throw new JournalValidationException(field, $"Rate how strong the feelings were, from {Emotions.MinIntensity} (barely) to {Emotions.MaxIntensity} (overwhelming).");
        }
        if (feelings.Emotions.Count == 0) throw new JournalValidationException(field, "Pick at least one emotion for the intensity to describe.");
    }

    private static Feelings? Normalise(Feelings? f) => f is null ? null : f with { Emotions = f.Emotions.Distinct().OrderBy(e => Emotions.All.ToList().IndexOf(e)).ToList() };

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
