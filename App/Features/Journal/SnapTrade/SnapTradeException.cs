namespace Signalbook.Features.Journal.SnapTrade;

public enum SnapTradeErrorKind
{
    /// <summary>ClientId / ConsumerKey missing from configuration.</summary>
    NotConfigured,

    /// <summary>HTTP 401: the signature, client id or user secret was refused (our configuration, not the user's broker).</summary>
    Unauthorized,

    /// <summary>HTTP 403 on a call that is not about one connection.</summary>
    Forbidden,

    NotFound,

    /// <summary>Any other 4xx: SnapTrade refused the request (its message says why).</summary>
    Rejected,

    /// <summary>HTTP 429 still answered after the bounded retries, or a Retry-After longer than allowed.</summary>
    RateLimited,

    /// <summary>5xx, a timeout or a connection failure on every attempt.</summary>
    ServerError,

    /// <summary>A 2xx whose body is not the documented shape.</summary>
    InvalidResponse,

    /// <summary>A connection whose brokerage authorisation expired or was disabled: the user must reconnect it.</summary>
    AuthorizationExpired,
}

/// <summary>A SnapTrade call that failed: what was asked (<see cref="Endpoint"/>), the HTTP status and SnapTrade's own code and message.</summary>
public class SnapTradeException(SnapTradeErrorKind kind, string message, string endpoint, int? httpStatus = null, string? snapTradeCode = null,
    string? snapTradeMessage = null, Exception? inner = null) : Exception(message, inner)
{
    public SnapTradeErrorKind Kind { get; } = kind;

    /// <summary>Method and path, e.g. "GET /api/v1/authorizations".</summary>
    public string Endpoint { get; } = endpoint;

    public int? HttpStatus { get; } = httpStatus;
    public string? SnapTradeCode { get; } = snapTradeCode;
    public string? SnapTradeMessage { get; } = snapTradeMessage;
}

/// <summary>
/// The connection <see cref="AuthorizationId"/> no longer gives SnapTrade access to the brokerage (expired or disabled
/// token): show "reconnect" and open the portal with <see cref="SnapTradeLoginOptions.Reconnect"/> set to this id.
/// </summary>
public sealed class SnapTradeAuthorizationExpiredException(string authorizationId, string? brokerageName, string message, string endpoint,
    int? httpStatus = null, string? snapTradeCode = null, string? snapTradeMessage = null)
    : SnapTradeException(SnapTradeErrorKind.AuthorizationExpired, message, endpoint, httpStatus, snapTradeCode, snapTradeMessage)
{
    public string AuthorizationId { get; } = authorizationId;
    public string? BrokerageName { get; } = brokerageName;
}
