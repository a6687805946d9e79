using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Users;

namespace Signalbook.Features.Journal.Trades;

/// <summary>An option's terms on a manual fill.</summary>
public sealed record ManualOptionTerms(string Underlying, DateOnly Expiry, decimal Strike, OptionRight Right);

/// <summary>A fill the trader types in. <see cref="ExecutedAt"/> is an instant (the form converts from the trader's time zone).</summary>
public sealed record ManualFillInput(
    string Symbol,
    FillSide Side,
    decimal Quantity,
    decimal Price,
    decimal Fees,
    DateTimeOffset ExecutedAt,
    FillAssetType AssetType = FillAssetType.Equity,
    string Currency = "USD",
    ManualOptionTerms? Option = null,
    decimal Multiplier = 1m,
    string? Broker = null);

/// <summary>The fill added and the campaign it is now in.</summary>
public sealed record ManualFillAdded(long FillId, long? GroupId);

/// <summary>A correction: the reversal row, the replacement (null when the fill was deleted) and the campaign of the replacement.</summary>
public sealed record FillCorrected(long ReversalId, long? ReplacementId, long? GroupId);

/// <summary>
/// Fills the trader adds by hand (source manual, external id "manual:&lt;guid&gt;") and corrections of any fill. The
/// ledger is never edited: a correction adds a reversal (the same fill on the opposite side, reverses_fill_id = the old
/// fill, external id "reversal:&lt;old id&gt;") and, unless the fill is being deleted, a replacement with the corrected
/// values (replaces_fill_id = the old fill). Campaigns leave a reversed fill and its reversal out, so the rebuild that
/// follows in the same transaction shows the corrected figures. A fill can be reversed once; its replacement can be
/// corrected in turn.
/// </summary>
public sealed partial class ManualFillService(
    IDbContextFactory<AppDbContext> factory,
    CampaignStore campaigns,
    JournalNudgeService nudges,
    UserSettingsService settings,
    TimeProvider clock)
{
    public const decimal MaxQuantity = 1_000_000_000_000m;
    public const decimal MaxPrice = 1_000_000_000_000m;

    /// <summary>The trader's time zone, in which the form takes the fill's time.</summary>
    public async Task<TimeZoneInfo> TimeZoneAsync(JournalCaller caller, CancellationToken ct = default)
        => UserSettingsService.ZoneOf((await settings.GetTradingAsync(caller.UserId, ct)).Profile);

    /// <summary>A wall-clock time in <paramref name="zone"/> as an instant (a time skipped by a clock change moves forward by the gap).</summary>
    public static DateTimeOffset FromLocal(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified)) unspecified = unspecified.AddHours(1);
        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified)).ToUniversalTime();
    }

    public async Task<ManualFillAdded> AddAsync(JournalCaller caller, ManualFillInput input, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        var clean = Validate(input);
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var fill = await NewFillAsync(db, caller.UserId, clean, $"manual:{Guid.NewGuid():N}", ct);
        db.TradeFills.Add(fill);
        await db.SaveChangesAsync(ct);
        await RebuildAsync(db, tx, caller.UserId, [new SeriesKey(fill.Symbol, fill.AssetType)], ct);
        await tx.CommitAsync(ct);
        return new ManualFillAdded(fill.Id, await GroupOfAsync(db, fill.Id, ct));
    }

    /// <summary>
    /// Corrects the caller's fill: reverses it and, when <paramref name="corrected"/> is given, adds the replacement; both
    /// with the campaign rebuild in one transaction. Null deletes the fill from the campaigns (the rows stay). The fill's
    /// decision context moves to the replacement and is checked again there.
    /// </summary>
    public async Task<FillCorrected> CorrectAsync(JournalCaller caller, long fillId, ManualFillInput? corrected, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        var clean = corrected is null ? null : Validate(corrected);
        await using var db = await factory.CreateDbContextAsync(ct);
        var old = await db.TradeFills.AsNoTracking().SingleOrDefaultAsync(f => f.Id == fillId && f.UserId == caller.UserId, ct)
                  ?? throw new JournalNotFoundException($"Fill {fillId}");
        if (old.ReversesFillId is not null)
        {
            throw new JournalValidationException("Fill", $"Fill {fillId} is the reversal of fill {old.ReversesFillId}; a reversal cannot be corrected.");
        }
        var reversedBy = await db.TradeFills.AsNoTracking().Where(f => f.ReversesFillId == fillId).Select(f => (long?)f.Id).FirstOrDefaultAsync(ct);
        if (reversedBy is { } r) throw AlreadyCorrected(fillId, r);

        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var reversal = new TradeFill
        {
            UserId = old.UserId, BrokerConnectionId = old.BrokerConnectionId, InstrumentId = old.InstrumentId, Symbol = old.Symbol,
            Side = old.Side == FillSide.Buy ? FillSide.Sell : FillSide.Buy, Quantity = old.Quantity, Price = old.Price, Fees = old.Fees, ExecutedAt = old.ExecutedAt,
            Broker = old.Broker, AssetType = old.AssetType, Currency = old.Currency, OrderId = old.OrderId, Venue = old.Venue, ExternalTradeId = $"reversal:{old.Id}",
            Source = FillSource.Manual, Isin = old.Isin, Multiplier = old.Multiplier, OptionUnderlying = old.OptionUnderlying, OptionExpiry = old.OptionExpiry,
            OptionStrike = old.OptionStrike, OptionRight = old.OptionRight, ReversesFillId = old.Id, CreatedAt = now,
        };
        db.TradeFills.Add(reversal);
        TradeFill? replacement = null;
        if (clean is not null)
        {
            replacement = await NewFillAsync(db, caller.UserId, clean, $"manual:{Guid.NewGuid():N}", ct);
            replacement.ReplacesFillId = old.Id;
            db.TradeFills.Add(replacement);
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw AlreadyCorrected(fillId, null);
        }
        long? movedContext = null;
        if (replacement is not null)
        {
            movedContext = await db.DecisionContexts.Where(c => c.FillId == old.Id && c.UserId == caller.UserId).Select(c => (long?)c.Id).FirstOrDefaultAsync(ct);
            if (movedContext is { } cid)
            {
                await db.DecisionContexts.Where(c => c.Id == cid).ExecuteUpdateAsync(u => u.SetProperty(c => c.FillId, replacement.Id).SetProperty(c => c.UpdatedAt, now), ct);
            }
        }
        var series = new HashSet<SeriesKey> { new(old.Symbol, old.AssetType) };
        if (replacement is not null) series.Add(new SeriesKey(replacement.Symbol, replacement.AssetType));
        await RebuildAsync(db, tx, caller.UserId, series, ct);
        await tx.CommitAsync(ct);

        // The moved context's checks were made for the old values (quantity, price, time): run them again on the replacement.
        if (movedContext is { } moved) await nudges.CheckContextAsync(caller.UserId, moved, ct);
        return new FillCorrected(reversal.Id, replacement?.Id, replacement is null ? null : await GroupOfAsync(db, replacement.Id, ct));
    }

    /// <summary>A fill as the correction form starts from (the caller's own; not found otherwise).</summary>
    public async Task<ManualFillInput> GetAsync(JournalCaller caller, long fillId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var f = await db.TradeFills.AsNoTracking().SingleOrDefaultAsync(x => x.Id == fillId && x.UserId == caller.UserId, ct)
                ?? throw new JournalNotFoundException($"Fill {fillId}");
        var option = f.AssetType == FillAssetType.Option && f.OptionExpiry is { } expiry && f.OptionStrike is { } strike && f.OptionRight is { } right
            ? new ManualOptionTerms(f.OptionUnderlying ?? "", expiry, strike, right)
            : null;
        return new ManualFillInput(f.Symbol, f.Side, f.Quantity, f.Price, f.Fees, f.ExecutedAt, f.AssetType, f.Currency, option, f.Multiplier, f.Broker);
    }

    private static JournalValidationException AlreadyCorrected(long fillId, long? reversal) => new("Fill",
        $"Fill {fillId} was already corrected{(reversal is { } r ? $" (reversed by fill {r})" : "")}; it cannot be corrected twice. Correct its replacement instead.");

    private async Task<TradeFill> NewFillAsync(AppDbContext db, Guid userId, ManualFillInput input, string externalId, CancellationToken ct)
    {
        long? instrument = input.AssetType == FillAssetType.Equity
            ? await db.Instruments.AsNoTracking().Where(i => i.Symbol == input.Symbol).OrderByDescending(i => i.IsActive).ThenBy(i => i.Id)
                .Select(i => (long?)i.Id).FirstOrDefaultAsync(ct)
            : null;
        return new TradeFill
        {
            UserId = userId, InstrumentId = instrument, Symbol = input.Symbol, Side = input.Side, Quantity = input.Quantity, Price = input.Price, Fees = input.Fees,
            ExecutedAt = input.ExecutedAt.ToUniversalTime(), Broker = input.Broker, AssetType = input.AssetType, Currency = input.Currency, ExternalTradeId = externalId,
            Source = FillSource.Manual, Multiplier = input.Multiplier, OptionUnderlying = input.Option?.Underlying, OptionExpiry = input.Option?.Expiry,
            OptionStrike = input.Option?.Strike, OptionRight = input.Option?.Right, CreatedAt = clock.GetUtcNow(),
        };
    }

    /// <summary>Checks the input and returns it cleaned (symbol and currency upper case and trimmed; no option terms unless an option).</summary>
    private ManualFillInput Validate(ManualFillInput input)
    {
        var symbol = (input.Symbol ?? "").Trim().ToUpperInvariant();
        if (symbol.Length == 0) throw new JournalValidationException("Symbol", "Enter the symbol, e.g. AAPL.");
        if (symbol.Length > 32 || !SymbolPattern().IsMatch(symbol)) throw new JournalValidationException("Symbol", "A symbol has up to 32 letters, digits, dots, dashes, slashes or spaces.");
        if (input.Quantity <= 0) throw new JournalValidationException("Quantity", "The quantity must be greater than zero (the side says buy or sell).");
        if (input.Quantity > MaxQuantity) throw new JournalValidationException("Quantity", "The quantity is too large.");
        if (input.Price < 0) throw new JournalValidationException("Price", "The price cannot be negative.");
        if (input.Price > MaxPrice) throw new JournalValidationException("Price", "The price is too large.");
        if (input.Fees < 0) throw new JournalValidationException("Fees", "Fees cannot be negative; enter what you paid as a positive amount.");
        if (input.Fees > MaxPrice) throw new JournalValidationException("Fees", "The fees are too large.");
        if (input.ExecutedAt > clock.GetUtcNow().AddMinutes(5)) throw new JournalValidationException("ExecutedAt", "The fill's time is in the future.");
        if (input.ExecutedAt.Year < 1970) throw new JournalValidationException("ExecutedAt", "The fill's time is too far in the past.");
        var currency = (input.Currency ?? "").Trim().ToUpperInvariant();
        if (!CurrencyPattern().IsMatch(currency)) throw new JournalValidationException("Currency", "The currency is a code of 2 to 10 letters or digits, e.g. USD, EUR or USDT.");
        if (!Enum.IsDefined(input.AssetType)) throw new JournalValidationException("AssetType", "Choose equity, option or crypto.");
        if (input.Broker?.Trim().Length > 100) throw new JournalValidationException("Broker", "The broker name is limited to 100 characters.");
        if (input.AssetType != FillAssetType.Option)
        {
            return input with { Symbol = symbol, Currency = currency, Option = null, Multiplier = 1m, Broker = Blank(input.Broker) };
        }
        if (input.Option is not { } o) throw new JournalValidationException("Option", "An option fill needs its underlying, expiry, strike and call or put.");
        var underlying = (o.Underlying ?? "").Trim().ToUpperInvariant();
        if (underlying.Length is 0 or > 20) throw new JournalValidationException("OptionUnderlying", "Enter the option's underlying symbol (up to 20 characters).");
        if (o.Strike <= 0) throw new JournalValidationException("OptionStrike", "The strike must be greater than zero.");
        if (!Enum.IsDefined(o.Right)) throw new JournalValidationException("OptionRight", "Choose call or put.");
        if (input.Multiplier <= 0 || input.Multiplier > 100_000) throw new JournalValidationException("Multiplier", "The multiplier (units per contract, usually 100) must be greater than zero.");
        return input with { Symbol = symbol, Currency = currency, Option = o with { Underlying = underlying }, Broker = Blank(input.Broker) };
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private async Task RebuildAsync(AppDbContext db, IDbContextTransaction tx, Guid userId, IReadOnlyCollection<SeriesKey> series, CancellationToken ct)
        => await campaigns.RebuildAsync((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction(), userId, series, ct);

    /// <summary>The campaign a fill is in: the one it opens when it opens one (a flip fill is in two).</summary>
    private static async Task<long?> GroupOfAsync(AppDbContext db, long fillId, CancellationToken ct)
        => await db.CampaignFills.AsNoTracking().Where(cf => cf.FillId == fillId).OrderByDescending(cf => cf.GroupId == fillId).ThenByDescending(cf => cf.GroupId)
            .Select(cf => (long?)cf.GroupId).FirstOrDefaultAsync(ct);

    [GeneratedRegex(@"^[A-Z0-9][A-Z0-9.\-/: ]*$")]
    private static partial Regex SymbolPattern();

    [GeneratedRegex("^[A-Z0-9]{2,10}$")]
    private static partial Regex CurrencyPattern();
}
