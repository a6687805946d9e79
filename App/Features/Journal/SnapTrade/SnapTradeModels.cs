namespace Signalbook.Features.Journal.SnapTrade;

/// <summary>A SnapTrade user (snaptrade_users): our id for them at SnapTrade and the secret SnapTrade issued once.</summary>
public sealed record SnapTradeUser(string UserId, string UserSecret)
{
    /// <summary>Leaves the secret out of logs and exception messages.</summary>
    public override string ToString() => $"SnapTradeUser {{ UserId = {UserId}, UserSecret = … }}";
}

/// <summary>
/// A connection (SnapTrade "brokerage authorization", GET /api/v1/authorizations) → broker_connections.
/// <see cref="Disabled"/> is SnapTrade's flag for a connection whose brokerage token no longer works: the user must
/// reconnect it through the portal (<see cref="SnapTradeLoginOptions.Reconnect"/>). <see cref="RawJson"/> is the
/// object as SnapTrade sent it, for broker_connections.meta.
/// </summary>
public sealed record SnapTradeConnection(
    string Id,
    string BrokerageName,
    string? BrokerageSlug,
    string? Name,
    string? Type,
    bool Disabled,
    DateTimeOffset? DisabledAt,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    string RawJson);

/// <summary>A brokerage account (GET /api/v1/accounts); <see cref="AuthorizationId"/> is the connection it belongs to.</summary>
public sealed record SnapTradeAccount(string Id, string AuthorizationId, string? Name, string? Number, string? InstitutionName, string RawJson);

/// <summary>
/// One transaction of an account (GET /api/v1/accounts/{id}/activities, "UniversalActivity"), read into the fields
/// the journal uses; <see cref="RawJson"/> keeps the whole object.
/// </summary>
public sealed record SnapTradeActivity
{
    public required string Id { get; init; }

    /// <summary>BUY, SELL, DIVIDEND, CONTRIBUTION, WITHDRAWAL, REI, STOCK_DIVIDEND, INTEREST, FEE, OPTIONEXPIRATION, … (upper case).</summary>
    public required string Type { get; init; }

    public string? Symbol { get; init; }
    public string? SymbolDescription { get; init; }

    /// <summary>The security type code of the symbol: cs, et, crypto, … (SnapTrade "SecurityType.code").</summary>
    public string? SecurityTypeCode { get; init; }

    public string? SymbolCurrency { get; init; }
    public SnapTradeOptionSymbol? Option { get; init; }

    /// <summary>BUY_TO_OPEN, BUY_TO_CLOSE, SELL_TO_OPEN, SELL_TO_CLOSE for option trades.</summary>
    public string? OptionAction { get; init; }

    public decimal? Units { get; init; }
    public decimal? Price { get; init; }
    public decimal? Amount { get; init; }
    public decimal? Fee { get; init; }
    public string? Currency { get; init; }

    /// <summary>trade_date as SnapTrade wrote it (a timestamp, or only a date for some brokerages).</summary>
    public string? TradeDate { get; init; }

    public string? Description { get; init; }
    public string? Institution { get; init; }
    public string? ExternalReferenceId { get; init; }
    public required string RawJson { get; init; }
}

/// <summary>An activity's option ("option_symbol"): OCC ticker, CALL/PUT, strike, expiry, mini flag and underlying.</summary>
public sealed record SnapTradeOptionSymbol(string Ticker, string OptionType, decimal StrikePrice, string ExpirationDate, bool IsMiniOption, string? Underlying);

/// <summary>
/// The connection portal request (POST /api/v1/snapTrade/login body). <see cref="Reconnect"/> is the id of a disabled
/// connection to repair instead of creating a new one (docs.snaptrade.com/docs/fix-broken-connections).
/// </summary>
public sealed record SnapTradeLoginOptions
{
    /// <summary>A brokerage slug to skip the picker, e.g. ALPACA, QUESTRADE.</summary>
    public string? Broker { get; init; }

    public string? CustomRedirect { get; init; }
    public string? Reconnect { get; init; }

    /// <summary>"read" (the journal only reads) or "trade".</summary>
    public string ConnectionType { get; init; } = "read";

    public bool? ImmediateRedirect { get; init; }
}
