using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Notifications;
using Signalbook.Features.Users;

namespace Signalbook.Features.Alerts;

/// <summary>What a user fills in for a rule. <see cref="InstrumentId"/> (from the autocomplete) wins over <see cref="Symbol"/>.</summary>
public sealed record AlertRuleInput
{
    public string? Name { get; init; }
    public string Kind { get; init; } = AlertRuleKinds.PriceCrossAbove;
    public long? InstrumentId { get; init; }
    public string? Symbol { get; init; }
    public long? PortfolioId { get; init; }
    public string? Indicator { get; init; }
    public string? Direction { get; init; }
    public double? Threshold { get; init; }
    public string? Profile { get; init; }
    public string Severity { get; init; } = NotificationLevels.Info;
    public int CooldownMinutes { get; init; } = 60;
    public DateTimeOffset? ExpiresAt { get; init; }
    public bool Recurring { get; init; } = true;
}

/// <summary>One row of the rules list.</summary>
public sealed record AlertRuleRow(
    long Id, string Name, string Kind, string? Symbol, string? Exchange, long? InstrumentId, long? PortfolioId, string? PortfolioName, string? Indicator,
    string? Direction, double? Threshold, string? Profile, string Severity, int CooldownMinutes, DateTimeOffset? ExpiresAt, bool Recurring, bool IsActive,
    DateTimeOffset? LastFiredAt, int FireCount, DateTimeOffset CreatedAt)
{
    /// <summary>The condition in words ("AAPL crosses above 190").</summary>
    public string Condition => AlertText.Condition(Kind, Symbol ?? PortfolioName ?? "", Indicator, Direction, Threshold, Profile);
}

public static class AlertRuleSorts
{
    public const string Newest = "newest", Name = "name", Symbol = "symbol", LastFired = "last_fired", Kind = "kind";
}

public sealed record AlertRuleQuery(string? Search = null, string? Kind = null, bool? Active = null, string Sort = AlertRuleSorts.Newest,
    bool Descending = true, int Page = 0, int PageSize = 25);

public sealed record AlertPage<T>(IReadOnlyList<T> Items, int Total);

public sealed record InstrumentChoice(long Id, string Symbol, string Exchange, string? Name)
{
    public override string ToString() => $"{Symbol} ({Exchange})";
}

public sealed record PortfolioChoice(long Id, string Name);

/// <summary>
/// A user's alert rules: list, create, edit, pause and delete, each scoped to the caller. Every input is checked before
/// anything is written, per kind (a price above 0, an RSI level inside 0–100, a move under 100 %…), with a message naming
/// the field; an unknown symbol, someone else's portfolio, an expiry in the past or a negative cooldown write nothing.
/// </summary>
public sealed class AlertRuleService(IDbContextFactory<AppDbContext> factory, UserSettingsService settings, TimeProvider clock)
{
    public const int MaxRulesPerUser = 1000;
    public const int MaxCooldownMinutes = 366 * 24 * 60;

    public async Task<AlertPage<AlertRuleRow>> ListAsync(AlertCaller caller, AlertRuleQuery query, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = from r in db.AlertRules.AsNoTracking()
                   where r.UserId == caller.UserId
                   join i in db.Instruments on r.InstrumentId equals i.Id into ii
                   from i in ii.DefaultIfEmpty()
                   join p in db.Portfolios on r.PortfolioId equals p.Id into pp
                   from p in pp.DefaultIfEmpty()
                   select new { r, Symbol = i != null ? i.Symbol : null, Exchange = i != null ? i.Exchange : null, PortfolioName = p != null ? p.Name : null };
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var text = $"%{query.Search.Trim()}%";
            rows = rows.Where(x => EF.Functions.ILike(x.r.Name, text) || (x.Symbol != null && EF.Functions.ILike(x.Symbol, text)) ||
                                   (x.PortfolioName != null && EF.Functions.ILike(x.PortfolioName, text)));
        }
        if (!string.IsNullOrEmpty(query.Kind)) rows = rows.Where(x => x.r.Kind == query.Kind);
        if (query.Active is { } active) rows = rows.Where(x => x.r.IsActive == active);
        var total = await rows.CountAsync(ct);
        rows = (query.Sort, query.Descending) switch
        {
            (AlertRuleSorts.Name, false) => rows.OrderBy(x => x.r.Name).ThenBy(x => x.r.Id),
            (AlertRuleSorts.Name, true) => rows.OrderByDescending(x => x.r.Name).ThenByDescending(x => x.r.Id),
            (AlertRuleSorts.Symbol, false) => rows.OrderBy(x => x.Symbol ?? x.PortfolioName).ThenBy(x => x.r.Id),
            (AlertRuleSorts.Symbol, true) => rows.OrderByDescending(x => x.Symbol ?? x.PortfolioName).ThenByDescending(x => x.r.Id),
            (AlertRuleSorts.Kind, false) => rows.OrderBy(x => x.r.Kind).ThenBy(x => x.r.Id),
            (AlertRuleSorts.Kind, true) => rows.OrderByDescending(x => x.r.Kind).ThenByDescending(x => x.r.Id),
            (AlertRuleSorts.LastFired, false) => rows.OrderBy(x => x.r.LastFiredAt).ThenBy(x => x.r.Id),
            (AlertRuleSorts.LastFired, true) => rows.OrderByDescending(x => x.r.LastFiredAt.HasValue).ThenByDescending(x => x.r.LastFiredAt).ThenByDescending(x => x.r.Id),
            (_, false) => rows.OrderBy(x => x.r.CreatedAt).ThenBy(x => x.r.Id),
            _ => rows.OrderByDescending(x => x.r.CreatedAt).ThenByDescending(x => x.r.Id),
        };
        var size = Math.Clamp(query.PageSize, 1, 200);
        var page = await rows.Skip(Math.Max(0, query.Page) * size).Take(size).Select(x => new AlertRuleRow(
            x.r.Id, x.r.Name, x.r.Kind, x.Symbol, x.Exchange, x.r.InstrumentId, x.r.PortfolioId, x.PortfolioName, x.r.Indicator, x.r.Direction, x.r.Threshold,
            x.r.Profile, x.r.Severity, x.r.CooldownMinutes, x.r.ExpiresAt, x.r.Recurring, x.r.IsActive, x.r.LastFiredAt, x.r.FireCount, x.r.CreatedAt)).ToListAsync(ct);
        return new AlertPage<AlertRuleRow>(page, total);
    }

    public async Task<AlertRuleRow> GetAsync(AlertCaller caller, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await (from r in db.AlertRules.AsNoTracking()
                         where r.Id == id && r.UserId == caller.UserId
                         join i in db.Instruments on r.InstrumentId equals i.Id into ii
                         from i in ii.DefaultIfEmpty()
                         join p in db.Portfolios on r.PortfolioId equals p.Id into pp
                         from p in pp.DefaultIfEmpty()
                         select new AlertRuleRow(r.Id, r.Name, r.Kind, i != null ? i.Symbol : null, i != null ? i.Exchange : null, r.InstrumentId, r.PortfolioId,
                             p != null ? p.Name : null, r.Indicator, r.Direction, r.Threshold, r.Profile, r.Severity, r.CooldownMinutes, r.ExpiresAt, r.Recurring,
                             r.IsActive, r.LastFiredAt, r.FireCount, r.CreatedAt)).FirstOrDefaultAsync(ct);
        return row ?? throw new AlertNotFoundException($"Alert rule {id}");
    }

    public async Task<long> CreateAsync(AlertCaller caller, AlertRuleInput input, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.AlertRules.CountAsync(r => r.UserId == caller.UserId, ct) >= MaxRulesPerUser)
            throw new AlertValidationException("Name", $"You have {MaxRulesPerUser} alert rules, the most one user can keep; delete some first.");
        var now = clock.GetUtcNow();
        var rule = new AlertRule { UserId = caller.UserId, CreatedAt = now };
        await ApplyAsync(db, caller, rule, input, now, ct);
        // Order rules watch fills from now on, not the portfolio's whole history.
        if (AlertRuleKinds.IsPortfolio(rule.Kind) && rule.Kind != AlertRuleKinds.DrawdownLimit) rule.LastEvaluatedBar = now;
        db.AlertRules.Add(rule);
        await db.SaveChangesAsync(ct);
        return rule.Id;
    }

    public async Task UpdateAsync(AlertCaller caller, long id, AlertRuleInput input, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        await using var db = await factory.CreateDbContextAsync(ct);
        var rule = await db.AlertRules.FirstOrDefaultAsync(r => r.Id == id && r.UserId == caller.UserId, ct) ?? throw new AlertNotFoundException($"Alert rule {id}");
        var now = clock.GetUtcNow();
        var before = (rule.Kind, rule.InstrumentId, rule.PortfolioId);
        await ApplyAsync(db, caller, rule, input, now, ct);
        // A rule pointed at something else starts afresh; an edited level keeps its bar guard (a bar never fires twice).
        if (before != (rule.Kind, rule.InstrumentId, rule.PortfolioId))
            rule.LastEvaluatedBar = AlertRuleKinds.IsPortfolio(rule.Kind) && rule.Kind != AlertRuleKinds.DrawdownLimit ? now : null;
        rule.IsActive = true;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Pauses or resumes a rule; an expired rule cannot resume until its expiry is moved.</summary>
    public async Task SetActiveAsync(AlertCaller caller, long id, bool active, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        await using var db = await factory.CreateDbContextAsync(ct);
        var rule = await db.AlertRules.FirstOrDefaultAsync(r => r.Id == id && r.UserId == caller.UserId, ct) ?? throw new AlertNotFoundException($"Alert rule {id}");
        var now = clock.GetUtcNow();
        if (active && rule.ExpiresAt <= now)
            throw new AlertValidationException(nameof(AlertRuleInput.ExpiresAt), $"The rule expired on {rule.ExpiresAt:yyyy-MM-dd HH:mm} UTC; edit it and choose a later expiry to resume it.");
        rule.IsActive = active;
        rule.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
    }

    public async Task DeleteAsync(AlertCaller caller, long id, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        await using var db = await factory.CreateDbContextAsync(ct);
        var n = await db.AlertRules.Where(r => r.Id == id && r.UserId == caller.UserId).ExecuteDeleteAsync(ct);
        if (n == 0) throw new AlertNotFoundException($"Alert rule {id}");
    }

    public async Task<IReadOnlyList<InstrumentChoice>> SearchInstrumentsAsync(string? text, int take = 20, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.Instruments.AsNoTracking().Where(i => i.IsActive);
        if (!string.IsNullOrWhiteSpace(text))
        {
            var t = text.Trim();
            q = q.Where(i => EF.Functions.ILike(i.Symbol, t + "%") || (i.Name != null && EF.Functions.ILike(i.Name, "%" + t + "%")));
        }
        return await q.OrderBy(i => i.Symbol).ThenBy(i => i.Exchange).Take(Math.Clamp(take, 1, 100))
            .Select(i => new InstrumentChoice(i.Id, i.Symbol, i.Exchange, i.Name)).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<PortfolioChoice>> PortfoliosAsync(AlertCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Portfolios.AsNoTracking().Where(p => p.UserId == caller.UserId).OrderBy(p => p.Name)
            .Select(p => new PortfolioChoice(p.Id, p.Name)).ToListAsync(ct);
    }

    private async Task ApplyAsync(AppDbContext db, AlertCaller caller, AlertRule rule, AlertRuleInput input, DateTimeOffset now, CancellationToken ct)
    {
        if (!AlertRuleKinds.All.Contains(input.Kind))
            throw new AlertValidationException(nameof(input.Kind), $"Unknown rule kind '{input.Kind}'; choose one of {string.Join(", ", AlertRuleKinds.All)}.");
        if (!NotificationLevels.All.Contains(input.Severity))
            throw new AlertValidationException(nameof(input.Severity), $"Unknown severity '{input.Severity}'; choose one of {string.Join(", ", NotificationLevels.All)}.");
        if (input.CooldownMinutes < 0)
            throw new AlertValidationException(nameof(input.CooldownMinutes), $"The cooldown cannot be negative ({input.CooldownMinutes} minutes); use 0 for none.");
        if (input.CooldownMinutes > MaxCooldownMinutes)
            throw new AlertValidationException(nameof(input.CooldownMinutes), $"A cooldown of {input.CooldownMinutes} minutes is longer than a year; choose at most {MaxCooldownMinutes}.");
        if (input.ExpiresAt is { } expires && expires <= now)
            throw new AlertValidationException(nameof(input.ExpiresAt), $"The expiry {expires.UtcDateTime:yyyy-MM-dd HH:mm} UTC is in the past; choose a later time or none.");
        if (input.ExpiresAt is { } far && far > now.AddYears(5))
            throw new AlertValidationException(nameof(input.ExpiresAt), "The expiry is more than five years away; choose an earlier time or none.");
        var name = input.Name?.Trim() ?? "";
        if (name.Length > 200) throw new AlertValidationException(nameof(input.Name), $"The name is {name.Length} characters long; keep it to 200.");

        long? instrumentId = null, portfolioId = null;
        string target;
        if (AlertRuleKinds.IsPortfolio(input.Kind))
        {
            if (input.PortfolioId is not { } pid) throw new AlertValidationException(nameof(input.PortfolioId), "Choose the portfolio this rule watches.");
            var p = await db.Portfolios.AsNoTracking().Where(x => x.Id == pid && x.UserId == caller.UserId).Select(x => x.Name).FirstOrDefaultAsync(ct)
                ?? throw new AlertValidationException(nameof(input.PortfolioId), $"Portfolio {pid} was not found among your portfolios.");
            portfolioId = pid;
            target = p;
        }
        else
        {
            var (id, symbol) = await ResolveInstrumentAsync(db, input, ct);
            instrumentId = id;
            target = symbol;
        }

        string? indicator = null, direction = null, profile = null;
        double? threshold = input.Threshold;
        if (threshold is { } t && !double.IsFinite(t)) throw new AlertValidationException(nameof(input.Threshold), "The threshold must be a number.");
        switch (input.Kind)
        {
            case AlertRuleKinds.PriceCrossAbove or AlertRuleKinds.PriceCrossBelow:
                var price = Need(threshold, "a price level");
                if (price <= 0 || price >= 1e9) throw new AlertValidationException(nameof(input.Threshold), $"A price level must be above 0 and below 1,000,000,000; {Num(price)} is impossible.");
                break;
            case AlertRuleKinds.PctMoveDay:
                var pct = Need(threshold, "a move in percent");
                if (pct <= 0 || pct >= 100) throw new AlertValidationException(nameof(input.Threshold), $"A daily move must be more than 0 % and less than 100 %; {Num(pct)} % is impossible.");
                direction = input.Direction ?? AlertDirections.Either;
                if (!AlertDirections.Move.Contains(direction))
                    throw new AlertValidationException(nameof(input.Direction), $"A move's direction is up, down or either, not '{direction}'.");
                break;
            case AlertRuleKinds.IndicatorCross:
                indicator = input.Indicator;
                if (indicator is null || !AlertIndicators.All.Contains(indicator))
                    throw new AlertValidationException(nameof(input.Indicator), $"Choose an indicator: {string.Join(", ", AlertIndicators.All)}{(indicator is null ? "" : $" ('{indicator}' is not one)")}.");
                direction = input.Direction;
                if (direction is null || !AlertDirections.Cross.Contains(direction))
                    throw new AlertValidationException(nameof(input.Direction), "An indicator crosses above or below its threshold: choose one.");
                var level = Need(threshold, "the indicator's threshold");
                switch (indicator)
                {
                    case AlertIndicators.Rsi14 when level <= 0 || level >= 100:
                        throw new AlertValidationException(nameof(input.Threshold), $"RSI lies between 0 and 100; a threshold of {Num(level)} can never be crossed.");
                    case AlertIndicators.Dist52wHigh when level <= -100 || level > 0:
                        throw new AlertValidationException(nameof(input.Threshold), $"The distance from the 52-week high is a percentage between −100 and 0; {Num(level)} is impossible.");
                    case AlertIndicators.VolumeZscore when level < -10 || level > 10:
                        throw new AlertValidationException(nameof(input.Threshold), $"A volume z-score threshold must lie between −10 and 10; {Num(level)} is out of range.");
                }
                break;
            case AlertRuleKinds.RegimeChange or AlertRuleKinds.OrderFilled or AlertRuleKinds.StopHit:
                threshold = null;
                break;
            case AlertRuleKinds.RecommendationChange:
                threshold = null;
                profile = input.Profile ?? (await settings.GetTradingAsync(caller.UserId, ct)).PreferredProfile;
                if (profile is not (RiskProfiles.Conservative or RiskProfiles.Moderate or RiskProfiles.Aggressive))
                    throw new AlertValidationException(nameof(input.Profile), $"Unknown risk profile '{profile}'; choose conservative, moderate or aggressive.");
                break;
            case AlertRuleKinds.DrawdownLimit:
                var dd = Need(threshold, "a drawdown limit in percent");
                if (dd <= 0 || dd >= 100) throw new AlertValidationException(nameof(input.Threshold), $"A drawdown limit must be more than 0 % and less than 100 %; {Num(dd)} % is impossible.");
                break;
        }

        rule.Kind = input.Kind;
        rule.InstrumentId = instrumentId;
        rule.PortfolioId = portfolioId;
        rule.Indicator = indicator;
        rule.Direction = direction;
        rule.Threshold = threshold;
        rule.Profile = profile;
        rule.Severity = input.Severity;
        rule.CooldownMinutes = input.CooldownMinutes;
        rule.ExpiresAt = input.ExpiresAt?.ToUniversalTime();
        rule.Recurring = input.Recurring;
        rule.Name = name.Length > 0 ? name : Clip(AlertText.Condition(rule.Kind, target, indicator, direction, threshold, profile), 200);
        rule.UpdatedAt = now;

        static double Need(double? value, string what) =>
            value ?? throw new AlertValidationException(nameof(AlertRuleInput.Threshold), $"This rule needs {what}.");
    }

    private static async Task<(long Id, string Symbol)> ResolveInstrumentAsync(AppDbContext db, AlertRuleInput input, CancellationToken ct)
    {
        if (input.InstrumentId is { } id)
        {
            var s = await db.Instruments.AsNoTracking().Where(i => i.Id == id && i.IsActive).Select(i => i.Symbol).FirstOrDefaultAsync(ct);
            return s is null ? throw new AlertValidationException(nameof(input.Symbol), $"Instrument {id} is unknown or no longer active.") : (id, s);
        }
        var symbol = input.Symbol?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(symbol)) throw new AlertValidationException(nameof(input.Symbol), "Choose the instrument this rule watches.");
        var matches = await db.Instruments.AsNoTracking().Where(i => i.Symbol == symbol && i.IsActive).Select(i => new { i.Id, i.Exchange }).ToListAsync(ct);
        return matches.Count switch
        {
            0 => throw new AlertValidationException(nameof(input.Symbol), $"Unknown symbol '{symbol}': no active instrument has it."),
            1 => (matches[0].Id, symbol),
            _ => throw new AlertValidationException(nameof(input.Symbol), $"'{symbol}' trades on {string.Join(", ", matches.Select(m => m.Exchange))}; pick the one you mean from the list."),
        };
    }

    private static string Num(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Clip(string s, int n) => s.Length <= n ? s : s[..n];
}

/// <summary>Rules and alerts in words.</summary>
public static class AlertText
{
    public static string Condition(string kind, string target, string? indicator, string? direction, double? threshold, string? profile)
    {
        var t = threshold?.ToString("0.####", CultureInfo.InvariantCulture) ?? "";
        return kind switch
        {
            AlertRuleKinds.PriceCrossAbove => $"{target} crosses above {t}",
            AlertRuleKinds.PriceCrossBelow => $"{target} crosses below {t}",
            AlertRuleKinds.PctMoveDay => direction switch
            {
                AlertDirections.Up => $"{target} rises {t} % or more in a day",
                AlertDirections.Down => $"{target} falls {t} % or more in a day",
                _ => $"{target} moves {t} % or more in a day",
            },
            AlertRuleKinds.IndicatorCross => $"{target} {AlertIndicators.Describe(indicator ?? "")} crosses {direction} {t}",
            AlertRuleKinds.RegimeChange => $"{target} regime changes",
            AlertRuleKinds.RecommendationChange => $"{target} {profile} recommendation is new or changes",
            AlertRuleKinds.OrderFilled => $"An order fills in {target}",
            AlertRuleKinds.StopHit => $"A stop is hit in {target}",
            AlertRuleKinds.DrawdownLimit => $"{target} drawdown reaches {t} %",
            _ => $"{target} {kind}",
        };
    }

    /// <summary>A daily bar is stored at 00:00 UTC of its trading date (any exchange): its date is the UTC date, whatever the server's or reader's zone.</summary>
    public static string TradingDate(DateTimeOffset dailyBar) => dailyBar.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
