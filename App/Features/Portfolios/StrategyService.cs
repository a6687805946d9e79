using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Portfolios.Performance;
using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Features.Portfolios;

/// <summary>
/// A trader's strategies: the catalogue of built-in types, create and edit (the config checked against the type's
/// schema and stored normalised), activate, delete, and the performance measured from the strategy's own fills.
/// Ownership follows <see cref="TradingCaller"/>: owners read and change their own; admins read anyone's but change
/// only their own; Viewers read their own and create nothing; strangers get not-found.
/// </summary>
public sealed class StrategyService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 2000;
    public const int RecentOrderCount = 20;

    /// <summary>Every strategy type with its availability, the reason when unavailable, and its config schema.</summary>
    public IReadOnlyList<StrategyInfo> Catalog => StrategyCatalog.All;

    public Task<IReadOnlyList<StrategyInfo>> CatalogAsync() => Task.FromResult(Catalog);

    /// <summary>The caller's strategies, or (for an admin) another user's; empty for anyone else's.</summary>
    public async Task<IReadOnlyList<StrategyRow>> ListAsync(TradingCaller caller, Guid? ownerId = null, CancellationToken ct = default)
    {
        var owner = ownerId ?? caller.UserId;
        if (!caller.CanRead(owner)) return [];
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await (from s in db.Strategies.AsNoTracking()
                          where s.UserId == owner
                          join p in db.Portfolios on s.PortfolioId equals p.Id into portfolios
                          from p in portfolios.DefaultIfEmpty()
                          orderby s.Name
                          select new { s.Id, s.UserId, s.Name, s.StrategyType, s.PortfolioId, PortfolioName = p == null ? null : p.Name, s.IsActive, s.IsBacktest,
                              s.LastSignalAt, s.NumTrades, s.TotalPnl, s.WinRate, s.SharpeRatio, s.UpdatedAt }).ToListAsync(ct);
        return rows.Select(r => new StrategyRow(r.Id, r.UserId, r.Name, r.StrategyType, StrategyCatalog.Get(r.StrategyType).DisplayName, r.PortfolioId,
            r.PortfolioName, r.IsActive, r.IsBacktest, r.LastSignalAt, r.NumTrades, r.TotalPnl, r.WinRate, r.SharpeRatio, r.UpdatedAt,
            caller.CanTrade(r.UserId))).ToList();
    }

    /// <summary>One strategy with its config and its type's schema.</summary>
    public async Task<StrategyDetail> GetAsync(TradingCaller caller, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var s = await db.Strategies.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (s is null || !caller.CanRead(s.UserId)) throw new TradingNotFoundException("Strategy");
        var portfolio = s.PortfolioId is { } pid ? await db.Portfolios.AsNoTracking().Where(p => p.Id == pid).Select(p => p.Name).SingleOrDefaultAsync(ct) : null;
        return new StrategyDetail(s.Id, s.UserId, s.Name, s.StrategyType, StrategyCatalog.Get(s.StrategyType), s.Description, s.PortfolioId, portfolio,
            ParseConfig(s.Config), s.IsActive, s.IsBacktest, s.TotalPnl, s.WinRate, s.SharpeRatio, s.NumTrades, s.CreatedAt, s.UpdatedAt, s.LastSignalAt,
            caller.CanTrade(s.UserId), StrategyJournalFields.Of(s), s.ImpliedStrategyFamily);
    }

    /// <summary>
    /// Every problem with a new strategy (or with the changes to strategy <paramref name="id"/>), each on its field:
    /// name, type, description, portfolio, and config.&lt;key&gt; per config setting. Empty when it can be saved. Writes nothing.
    /// </summary>
    public async Task<IReadOnlyList<StrategyFieldError>> ValidateAsync(TradingCaller caller, NewStrategy input, long? id = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await factory.CreateDbContextAsync(ct);
        Strategy? existing = null;
        if (id is { } sid)
        {
            existing = await db.Strategies.AsNoTracking().SingleOrDefaultAsync(x => x.Id == sid, ct);
            if (existing is null) throw new TradingNotFoundException("Strategy");
            caller.EnsureTrade(existing.UserId, "Strategy");
        }
        else if (!caller.CanCreate)
        {
            throw new TradingForbiddenException("Viewers cannot create strategies.");
        }
        var (errors, _) = await CheckAsync(db, caller.UserId, input, existing, ct);
        return errors;
    }

    /// <summary>Creates an inactive strategy; activate it with <see cref="SetActiveAsync"/>.</summary>
    /// <exception cref="StrategyValidationException">Every field error at once; nothing was written.</exception>
    public async Task<long> CreateAsync(TradingCaller caller, NewStrategy input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!caller.CanCreate) throw new TradingForbiddenException("Viewers cannot create strategies.");
        await using var db = await factory.CreateDbContextAsync(ct);
        var (errors, config) = await CheckAsync(db, caller.UserId, input, null, ct);
        if (errors.Count > 0) throw new StrategyValidationException(errors);
        var now = clock.GetUtcNow();
        var strategy = new Strategy
        {
            UserId = caller.UserId, Name = input.Name.Trim(), StrategyType = input.Type, Description = Clean(input.Description), PortfolioId = input.PortfolioId,
            Config = config!.ToJsonString(), IsActive = false, CreatedAt = now, UpdatedAt = now,
        };
        ApplyJournalFields(strategy, input.Journal ?? new StrategyJournalFields());
        db.Strategies.Add(strategy);
        await SaveAsync(db, strategy.Name, ct);
        return strategy.Id;
    }

    /// <summary>Changes name, description, portfolio and config. The type is fixed once created (its orders and figures belong to it).</summary>
    /// <exception cref="StrategyValidationException">Every field error at once; nothing was written.</exception>
    public async Task UpdateAsync(TradingCaller caller, long id, NewStrategy input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await factory.CreateDbContextAsync(ct);
        var s = await db.Strategies.SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new TradingNotFoundException("Strategy");
        caller.EnsureTrade(s.UserId, "Strategy");
        var (errors, config) = await CheckAsync(db, s.UserId, input, s, ct);
        if (errors.Count > 0) throw new StrategyValidationException(errors);
        s.Name = input.Name.Trim();
        s.Description = Clean(input.Description);
        s.PortfolioId = input.PortfolioId;
        s.Config = config!.ToJsonString();
        ApplyJournalFields(s, input.Journal ?? StrategyJournalFields.Of(s));
        s.UpdatedAt = clock.GetUtcNow();
        await SaveAsync(db, s.Name, ct);
    }

    /// <summary>Turns the strategy on or off. On needs a portfolio (active, the owner's) and a config that is still valid.</summary>
    public async Task SetActiveAsync(TradingCaller caller, long id, bool active, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var s = await db.Strategies.SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new TradingNotFoundException("Strategy");
        caller.EnsureTrade(s.UserId, "Strategy");
        if (s.IsActive == active) return;
        if (active)
        {
            var info = StrategyCatalog.Get(s.StrategyType);
            if (!info.IsAvailable || !info.IsStandalone) throw new TradingValidationException("type", TypeError(info));
            if (s.PortfolioId is not { } pid)
                throw new TradingValidationException("portfolio", "Choose the portfolio this strategy's orders go to before activating it.");
            var portfolio = await db.Portfolios.AsNoTracking().Where(p => p.Id == pid).Select(p => new { p.UserId, p.IsActive, p.Name }).SingleOrDefaultAsync(ct);
            if (portfolio is null || portfolio.UserId != s.UserId)
                throw new TradingValidationException("portfolio", "Choose the portfolio this strategy's orders go to before activating it.");
            if (!portfolio.IsActive)
                throw new TradingValidationException("portfolio", $"The portfolio '{portfolio.Name}' is inactive: reactivate it or choose another before activating the strategy.");
            var config = ParseConfig(s.Config);
            if (StrategyCatalog.Validate(s.StrategyType, config) is { Count: > 0 } errors)
                throw new StrategyValidationException(errors.Select(ToFieldError).ToList());
        }
        s.IsActive = active;
        s.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Deletes the strategy; its orders keep their history (their strategy becomes empty).</summary>
    public async Task DeleteAsync(TradingCaller caller, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var s = await db.Strategies.SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new TradingNotFoundException("Strategy");
        caller.EnsureTrade(s.UserId, "Strategy");
        db.Strategies.Remove(s);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The strategy's performance computed now from its fills (see <see cref="StrategyPerformance"/>). Writes nothing.</summary>
    public async Task<StrategyPerformance> PerformanceAsync(TradingCaller caller, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var owner = await db.Strategies.AsNoTracking().Where(x => x.Id == id).Select(x => (Guid?)x.UserId).SingleOrDefaultAsync(ct);
        if (owner is not { } o || !caller.CanRead(o)) throw new TradingNotFoundException("Strategy");
        return await ComputeAsync(db, id, ct);
    }

    /// <summary>
    /// Recomputes the strategy's figures from its fills and stores them on the strategy row (NumTrades, TotalPnl, WinRate,
    /// SharpeRatio). For the trading service after each run: no caller, it acts for the system. Returns null when the
    /// strategy no longer exists.
    /// </summary>
    public async Task<StrategyPerformance?> RefreshPerformanceAsync(long strategyId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var s = await db.Strategies.SingleOrDefaultAsync(x => x.Id == strategyId, ct);
        if (s is null) return null;
        var perf = await ComputeAsync(db, strategyId, ct);
        s.NumTrades = perf.NumTrades;
        s.TotalPnl = perf.TotalPnl;
        s.WinRate = perf.WinRate;
        s.SharpeRatio = perf.SharpeRatio;
        await db.SaveChangesAsync(ct);
        return perf;
    }

    /// <summary>The strategy's most recent orders (newest first), for its page.</summary>
    public async Task<IReadOnlyList<OrderRow>> RecentOrdersAsync(TradingCaller caller, long id, int take = RecentOrderCount, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var owner = await db.Strategies.AsNoTracking().Where(x => x.Id == id).Select(x => (Guid?)x.UserId).SingleOrDefaultAsync(ct);
        if (owner is not { } o || !caller.CanRead(o)) throw new TradingNotFoundException("Strategy");
        return await (from x in db.Orders.AsNoTracking()
                      where x.StrategyId == id
                      join i in db.Instruments on x.InstrumentId equals i.Id
                      orderby x.CreatedAt descending, x.Id descending
                      select new OrderRow(x.Id, x.ClientOrderId, x.InstrumentId, i.Symbol, x.Side, x.OrderType, x.TimeInForce, x.Status, x.Quantity,
                          x.FilledQuantity, x.Price, x.StopPrice, x.AverageFillPrice, x.Fee, x.RecommendationId, x.StrategyId, x.ParentOrderId,
                          x.RejectReason, x.Note, x.CreatedAt, x.FilledAt, x.CancelledAt))
            .Take(Math.Clamp(take, 1, 200)).ToListAsync(ct);
    }

    /// <summary>
    /// The figures over the fills of the strategy's orders (trades whose order has this StrategyId). A closing trade is a
    /// fill with realised P&amp;L (Trade.Pnl set: it closed earlier FIFO lots of its portfolio); opening fills have none.
    /// </summary>
    private static async Task<StrategyPerformance> ComputeAsync(AppDbContext db, long strategyId, CancellationToken ct)
    {
        var fills = await (from t in db.Trades.AsNoTracking()
                           join o in db.Orders on t.OrderId equals o.Id
                           where o.StrategyId == strategyId
                           select new { t.Pnl, t.ExecutedAt }).ToListAsync(ct);
        return Measure(fills.Select(f => new StrategyFill(f.Pnl, f.ExecutedAt)).ToList());
    }

    /// <summary>
    /// NumTrades = closing fills; TotalPnl = Σ their P&amp;L; WinRate = closing fills with P&amp;L &gt; 0 ÷ closing fills
    /// (null with none). Sharpe: the daily realised P&amp;L series — one value per UTC day on which the strategy closed
    /// anything, Σ that day's P&amp;L (days without a closing fill are not in the series) — as mean ÷ sample standard
    /// deviation × √252 (<see cref="PerformanceMetrics.Sharpe"/>, no risk-free rate); null with fewer than 2 such days or
    /// no variation. It is a ratio of money to money (the strategy has no capital of its own to take returns on), so
    /// it compares strategies by the steadiness of what they realise, not with a portfolio's return-based Sharpe.
    /// </summary>
    internal static StrategyPerformance Measure(IReadOnlyList<StrategyFill> fills)
    {
        var closing = fills.Where(f => f.Pnl is not null).OrderBy(f => f.ExecutedAt).ToList();
        var total = closing.Sum(f => f.Pnl!.Value);
        var wins = closing.Count(f => f.Pnl > 0);
        var losses = closing.Count(f => f.Pnl < 0);
        var daily = closing.GroupBy(f => DateOnly.FromDateTime(f.ExecutedAt.UtcDateTime)).OrderBy(g => g.Key)
            .Select(g => (double)g.Sum(f => f.Pnl!.Value)).ToArray();
        var sharpe = daily.Length >= 2 ? PerformanceMetrics.Sharpe(daily) : null;
        return new StrategyPerformance(closing.Count, wins, losses, total, closing.Count == 0 ? null : (double)wins / closing.Count, sharpe, daily.Length,
            fills.Count, fills.Count == 0 ? null : fills.Min(f => f.ExecutedAt), fills.Count == 0 ? null : fills.Max(f => f.ExecutedAt));
    }

    private static async Task<(List<StrategyFieldError> Errors, JsonObject? Config)> CheckAsync(AppDbContext db, Guid owner, NewStrategy input, Strategy? existing,
        CancellationToken ct)
    {
        var errors = new List<StrategyFieldError>();
        var name = (input.Name ?? "").Trim();
        if (name.Length == 0) errors.Add(new(StrategyFields.Name, "Give the strategy a name."));
        else if (name.Length > MaxNameLength) errors.Add(new(StrategyFields.Name, $"The name must be at most {MaxNameLength} characters; it has {name.Length}."));
        else if (await db.Strategies.AnyAsync(x => x.UserId == owner && x.Name == name && (existing == null || x.Id != existing.Id), ct))
            errors.Add(new(StrategyFields.Name, $"You already have a strategy named '{name}'."));

        if (Clean(input.Description) is { Length: > MaxDescriptionLength } d)
            errors.Add(new(StrategyFields.Description, $"The description must be at most {MaxDescriptionLength} characters; it has {d.Length}."));
        if (input.Journal is { } journal) errors.AddRange(journal.Validate());

        JsonObject? config = null;
        if (existing is not null && existing.StrategyType != input.Type)
        {
            errors.Add(new(StrategyFields.Type, "A strategy's type cannot change once created (its orders and figures belong to it); create a new strategy instead."));
        }
        else if (!Enum.IsDefined(input.Type))
        {
            errors.Add(new(StrategyFields.Type, $"Unknown strategy type {input.Type}."));
        }
        else
        {
            var info = StrategyCatalog.Get(input.Type);
            if (!info.IsAvailable || !info.IsStandalone)
            {
                errors.Add(new(StrategyFields.Type, TypeError(info)));
            }
            else
            {
                try
                {
                    config = StrategyCatalog.Normalise(input.Type, input.Config);
                }
                catch (StrategyConfigException e)
                {
                    errors.AddRange(e.Errors.Select(ToFieldError));
                }
            }
        }

        if (input.PortfolioId is { } pid)
        {
            var p = await db.Portfolios.AsNoTracking().Where(x => x.Id == pid).Select(x => new { x.UserId, x.IsActive, x.Name }).SingleOrDefaultAsync(ct);
            if (p is null || p.UserId != owner) errors.Add(new(StrategyFields.Portfolio, "Choose one of your own portfolios."));
            else if (!p.IsActive) errors.Add(new(StrategyFields.Portfolio, $"The portfolio '{p.Name}' is inactive; choose an active one."));
        }
        else if (existing is { IsActive: true })
        {
            errors.Add(new(StrategyFields.Portfolio, "An active strategy needs a portfolio for its orders; deactivate it first to clear the portfolio."));
        }
        return (errors, errors.Count == 0 ? config : null);
    }

    /// <summary>
    /// Stores the journal's fields and sets implied_strategy_family from the strategy's own words (name, description,
    /// entry and exit criteria: <see cref="StrategyFamilyDetector"/>), so it follows every edit.
    /// </summary>
    private static void ApplyJournalFields(Strategy s, StrategyJournalFields f)
    {
        s.Direction = StrategyDirections.All.Contains(f.Direction) ? f.Direction : StrategyDirections.Both;
        s.Timeframes = JsonSerializer.Serialize(StrategyTimeframes.Normalise(f.Timeframes) is { Count: > 0 } tf ? tf : ["1Day"]);
        s.EntryCriteria = Clean(f.EntryCriteria);
        s.ExitCriteria = Clean(f.ExitCriteria);
        s.MaxRiskPct = f.MaxRiskPct;
        s.MinRiskReward = f.MinRiskReward;
        s.RiskProfile = f.RiskOverrides is { IsEmpty: false } o ? JsonSerializer.Serialize(o, StrategyRiskOverrides.Json) : null;
        s.ImpliedStrategyFamily = StrategyFamilyDetector.Detect(s.Name, s.Description, s.EntryCriteria, s.ExitCriteria);
    }

    private static string TypeError(StrategyInfo info) =>
        !info.IsAvailable ? $"{info.DisplayName} is not available: {info.UnavailableReason}."
        : $"{info.DisplayName} is not a strategy on its own: its settings are part of every strategy's config.";

    private static StrategyFieldError ToFieldError(ConfigError e) =>
        new(string.IsNullOrEmpty(e.Field) ? StrategyFields.Config : StrategyFields.ConfigPrefix + e.Field, e.Message);

    /// <summary>The unique index is the last word on a name taken by a concurrent save.</summary>
    private static async Task SaveAsync(AppDbContext db, string name, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new StrategyValidationException([new(StrategyFields.Name, $"You already have a strategy named '{name}'.")]);
        }
    }

    private static JsonObject ParseConfig(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>A new strategy (or the changed settings of one) as the form submits it. Config null means all defaults.</summary>
/// <remarks>Journal null: on create the defaults, on update the strategy's current journal fields.</remarks>
public sealed record NewStrategy(string Name, StrategyType Type, string? Description = null, long? PortfolioId = null, JsonObject? Config = null,
    StrategyJournalFields? Journal = null);

/// <summary>The field names of <see cref="StrategyFieldError"/>.</summary>
public static class StrategyFields
{
    public const string Name = "name";
    public const string Type = "type";
    public const string Description = "description";
    public const string Portfolio = "portfolio";
    /// <summary>An error about the config as a whole.</summary>
    public const string Config = "config";
    /// <summary>config.&lt;key&gt;: an error on one setting (or on an unknown key).</summary>
    public const string ConfigPrefix = "config.";
    public const string Direction = "direction";
    public const string Timeframes = "timeframes";
    public const string EntryCriteria = "entry_criteria";
    public const string ExitCriteria = "exit_criteria";
    public const string MaxRiskPct = "max_risk_pct";
    public const string MinRiskReward = "min_risk_reward";
    /// <summary>risk.&lt;key&gt;: an error on one risk-profile override.</summary>
    public const string RiskPrefix = "risk.";
}

public sealed record StrategyFieldError(string Field, string Message);

/// <summary>Every field error of a strategy at once, so the form can show each on its own field. Nothing was written.</summary>
public sealed class StrategyValidationException(IReadOnlyList<StrategyFieldError> errors)
    : Exception(string.Join(" ", errors.Select(e => e.Message)))
{
    public IReadOnlyList<StrategyFieldError> Errors { get; } = errors;

    /// <summary>The first error's field.</summary>
    public string Field => Errors.Count > 0 ? Errors[0].Field : StrategyFields.Config;
}

/// <summary>One row of the strategies list.</summary>
public sealed record StrategyRow(
    long Id,
    Guid OwnerId,
    string Name,
    StrategyType Type,
    string TypeName,
    long? PortfolioId,
    string? PortfolioName,
    bool IsActive,
    bool IsBacktest,
    DateTimeOffset? LastSignalAt,
    int NumTrades,
    decimal TotalPnl,
    double? WinRate,
    double? SharpeRatio,
    DateTimeOffset UpdatedAt,
    /// <summary>Whether the caller may change it (the owner, with a trading role).</summary>
    bool CanEdit);

/// <summary>A strategy with its normalised config and its type (whose Schema the form is built from).</summary>
public sealed record StrategyDetail(
    long Id,
    Guid OwnerId,
    string Name,
    StrategyType Type,
    StrategyInfo Info,
    string? Description,
    long? PortfolioId,
    string? PortfolioName,
    JsonObject Config,
    bool IsActive,
    bool IsBacktest,
    decimal TotalPnl,
    double? WinRate,
    double? SharpeRatio,
    int NumTrades,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastSignalAt,
    bool CanEdit,
    StrategyJournalFields? Journal = null,
    /// <summary>implied_strategy_family as detected on the last save, or null when the words point to no family.</summary>
    string? ImpliedFamily = null)
{
    public ConfigSchema? Schema => Info.Schema;
}

/// <summary>
/// A strategy's figures from its fills: NumTrades closing fills, of which Wins made and Losses lost money; TotalPnl their
/// realised P&amp;L; WinRate Wins ÷ NumTrades; SharpeRatio over <paramref name="SharpeDays"/> days of realised P&amp;L
/// (see StrategyService.Measure); Fills counts opening fills too.
/// </summary>
public sealed record StrategyPerformance(
    int NumTrades,
    int Wins,
    int Losses,
    decimal TotalPnl,
    double? WinRate,
    double? SharpeRatio,
    int SharpeDays,
    int Fills,
    DateTimeOffset? FirstFillAt,
    DateTimeOffset? LastFillAt);

internal sealed record StrategyFill(decimal? Pnl, DateTimeOffset ExecutedAt);
