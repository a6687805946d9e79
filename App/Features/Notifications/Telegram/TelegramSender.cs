using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;

namespace Signalbook.Features.Notifications.Telegram;

/// <summary>The Telegram bot Signalbook sends through (section Telegram). No token: the Telegram channel is off.</summary>
public sealed class TelegramOptions : IValidatableObject
{
    public const string Section = "Telegram";

    /// <summary>The bot's token from @BotFather ("123456:ABC…"). Empty: Telegram is not offered.</summary>
    public string? BotToken { get; set; }

    /// <summary>The Bot API server (a local Bot API server, or the tests' scripted one). Empty: https://api.telegram.org.</summary>
    public string? ApiBaseUrl { get; set; }

    /// <summary>The bot's @username, without the @: the settings page tells users whom to message.</summary>
    public string? BotUsername { get; set; }

    /// <summary>A "429 Too Many Requests, retry after N s" with N up to this many seconds is waited out and retried at once; longer waits are left to the delivery job's retries.</summary>
    [Range(0, 300)] public int RetryThresholdSeconds { get; set; } = 30;

    /// <summary>How many such waits one send may do.</summary>
    [Range(0, 10)] public int RateLimitRetries { get; set; } = 3;

    /// <summary>How long a link code stays valid.</summary>
    [Range(1, 1440)] public int LinkCodeMinutes { get; set; } = 15;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(BotToken);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ApiBaseUrl) && (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            yield return new ValidationResult($"Telegram:ApiBaseUrl '{ApiBaseUrl}' is not an http(s) URL; leave it empty for https://api.telegram.org.", [nameof(ApiBaseUrl)]);
        if (!string.IsNullOrWhiteSpace(BotToken) && BotId == 0)
            yield return new ValidationResult("Telegram:BotToken does not look like a bot token (\"123456:ABC…\" from @BotFather).", [nameof(BotToken)]);
    }

    /// <summary>The bot's numeric id: the token's part before the colon (0 when it has none).</summary>
    public long BotId => BotToken is { } t && t.IndexOf(':') is > 0 and var i && long.TryParse(t[..i], out var id) ? id : 0;
}

/// <summary>Why a Telegram send failed, which decides what happens next.</summary>
public enum TelegramFailure
{
    /// <summary>Network trouble, a 5xx, or a rate limit longer than we wait: a later retry may work.</summary>
    Transient,

    /// <summary>The user blocked the bot or deleted the chat (403): stop sending, turn Telegram off for the user.</summary>
    Blocked,

    /// <summary>The chat id is wrong (400 chat not found): failed, retrying cannot help.</summary>
    BadChat,

    /// <summary>This server has no bot token.</summary>
    NotConfigured,
}

public sealed class TelegramDeliveryException(string message, TelegramFailure failure, Exception? inner = null) : Exception(message, inner)
{
    public TelegramFailure Failure { get; } = failure;

    public bool Permanent => Failure != TelegramFailure.Transient;
}

/// <summary>
/// Talks to the Telegram Bot API through Telegram.Bot's <see cref="TelegramBotClient"/> (base URL from
/// <see cref="TelegramOptions.ApiBaseUrl"/>, HTTP from the "telegram" named client), and turns its errors into
/// <see cref="TelegramDeliveryException"/>s that say whether to retry. Short rate limits (429 with retry_after up to
/// <see cref="TelegramOptions.RetryThresholdSeconds"/>) are waited out by the client itself.
/// </summary>
public sealed class TelegramSender(IHttpClientFactory http, IOptions<TelegramOptions> options)
{
    public const string HttpClientName = "telegram";

    public bool IsConfigured => options.Value.IsConfigured;

    public string? BotUsername => options.Value.BotUsername?.TrimStart('@');

    private TelegramBotClient Client(CancellationToken ct)
    {
        var o = options.Value;
        if (!o.IsConfigured) throw new TelegramDeliveryException("Telegram is not set up on this server (no bot token).", TelegramFailure.NotConfigured);
        var clientOptions = new TelegramBotClientOptions(o.BotToken!, string.IsNullOrWhiteSpace(o.ApiBaseUrl) ? null : o.ApiBaseUrl)
        {
            RetryThreshold = o.RetryThresholdSeconds,
            RetryCount = o.RateLimitRetries,
        };
        return new TelegramBotClient(clientOptions, http.CreateClient(HttpClientName), ct);
    }

    /// <summary>Sends a plain-text message to a chat.</summary>
    public async Task SendAsync(string chatId, string text, CancellationToken ct = default)
    {
        if (!long.TryParse(chatId, out var id)) throw new TelegramDeliveryException($"'{chatId}' is not a Telegram chat id.", TelegramFailure.BadChat);
        var client = Client(ct);
        await CallAsync(() => client.SendMessage(id, text.Length > 4096 ? text[..4095] + "…" : text, cancellationToken: ct));
    }

    /// <summary>The updates (messages to the bot) from <paramref name="offset"/> on; no long polling.</summary>
    public async Task<Update[]> GetUpdatesAsync(int offset, CancellationToken ct = default)
    {
        var client = Client(ct);
        return await CallAsync(() => client.GetUpdates(offset, limit: 100, timeout: 0, cancellationToken: ct));
    }

    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ApiRequestException e)
        {
            var description = e.Message;
            throw e.ErrorCode switch
            {
                403 => new TelegramDeliveryException($"Telegram refused the message: {description} (the bot was blocked or removed from the chat).", TelegramFailure.Blocked, e),
                400 when description.Contains("chat not found", StringComparison.OrdinalIgnoreCase) || description.Contains("chat_id", StringComparison.OrdinalIgnoreCase)
                    => new TelegramDeliveryException($"Telegram does not know this chat: {description}. Link your chat again.", TelegramFailure.BadChat, e),
                429 => new TelegramDeliveryException($"Telegram's rate limit: {description}" + (e.Parameters?.RetryAfter is { } s ? $" (retry after {s} s)." : "."), TelegramFailure.Transient, e),
                401 or 404 => new TelegramDeliveryException($"Telegram refused the bot token: {description}. An admin must fix Telegram:BotToken.", TelegramFailure.Transient, e),
                >= 400 and < 500 => new TelegramDeliveryException($"Telegram refused the message: {description}.", TelegramFailure.BadChat, e),
                _ => new TelegramDeliveryException($"Telegram failed: {description}.", TelegramFailure.Transient, e),
            };
        }
        catch (RequestException e)
        {
            throw new TelegramDeliveryException($"Could not reach Telegram: {e.Message}", TelegramFailure.Transient, e);
        }
        catch (HttpRequestException e)
        {
            throw new TelegramDeliveryException($"Could not reach Telegram: {e.Message}", TelegramFailure.Transient, e);
        }
    }
}
