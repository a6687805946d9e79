using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Signalbook.Data;

namespace Signalbook.Features.Notifications.Telegram;

/// <summary>What one poll of the bot's updates did.</summary>
public sealed record TelegramPoll(bool Configured, int Updates, int Linked, int Refused, long NextOffset);

/// <summary>
/// Links a user's Telegram chat to their account with a one-time code: the settings page makes a code (valid
/// <see cref="TelegramOptions.LinkCodeMinutes"/>); the user sends "/start CODE" to the bot (the page's t.me link does it);
/// <see cref="PollAsync"/> reads the bot's updates (getUpdates from the offset kept in telegram_bot_state, so each update
/// is read once across restarts and nodes), links the chat whose message carries a valid, unexpired code, and answers in
/// the chat. An unknown or expired code gets a reply saying so; the offset moves past every update read.
/// </summary>
public sealed partial class TelegramLinkService(IDbContextFactory<AppDbContext> factory, TelegramSender telegram, IOptions<TelegramOptions> options,
    TimeProvider clock, ILogger<TelegramLinkService> logger)
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I

    [GeneratedRegex(@"^\s*(?:/start(?:@\w+)?\s+)?([A-Za-z0-9]{8})\s*$")]
    private static partial Regex CodePattern();

    /// <summary>A new one-time code for the user (replacing any earlier one), and when it expires.</summary>
    public async Task<(string Code, DateTimeOffset ExpiresAt)> NewCodeAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var prefs = await NotificationPreferencesStore.EnsureAsync(db, userId, ct);
        var code = RandomNumberGenerator.GetString(Alphabet, 8);
        var expires = clock.GetUtcNow().AddMinutes(options.Value.LinkCodeMinutes);
        prefs.TelegramLinkCode = code;
        prefs.TelegramLinkCodeExpiresAt = expires;
        prefs.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return (code, expires);
    }

    /// <summary>Reads the bot's new messages and links the chats that sent a valid code.</summary>
    public async Task<TelegramPoll> PollAsync(CancellationToken ct = default)
    {
        if (!telegram.IsConfigured) return new TelegramPoll(false, 0, 0, 0, 0);
        var botId = options.Value.BotId;
        await using var db = await factory.CreateDbContextAsync(ct);
        var state = await db.TelegramBotStates.SingleOrDefaultAsync(s => s.BotId == botId, ct);
        if (state is null)
        {
            state = new TelegramBotState { BotId = botId, UpdateOffset = 0, UpdatedAt = clock.GetUtcNow() };
            db.TelegramBotStates.Add(state);
        }
        var updates = await telegram.GetUpdatesAsync((int)Math.Min(state.UpdateOffset, int.MaxValue), ct);
        int linked = 0, refused = 0;
        foreach (var update in updates.OrderBy(u => u.Id))
        {
            state.UpdateOffset = Math.Max(state.UpdateOffset, (long)update.Id + 1);
            var message = update.Message;
            if (message?.Text is not { } text || message.Chat is null) continue;
            var match = CodePattern().Match(text);
            if (!match.Success)
            {
                if (text.TrimStart().StartsWith("/start", StringComparison.OrdinalIgnoreCase))
                {
                    refused++;
                    await ReplyAsync(message.Chat.Id, "To link this chat, open Settings → Notifications in Signalbook, make a link code and send /start followed by the code.", ct);
                }
                continue;
            }
            var code = match.Groups[1].Value.ToUpperInvariant();
            var now = clock.GetUtcNow();
            var prefs = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.TelegramLinkCode == code, ct);
            if (prefs is null || prefs.TelegramLinkCodeExpiresAt is not { } expires || expires <= now)
            {
                refused++;
                await ReplyAsync(message.Chat.Id, "That code is unknown or has expired. Make a new one on Settings → Notifications in Signalbook.", ct);
                continue;
            }
            prefs.TelegramChatId = message.Chat.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            prefs.TelegramEnabled = true;
            prefs.TelegramDisabledReason = null;
            prefs.TelegramLinkCode = null;
            prefs.TelegramLinkCodeExpiresAt = null;
            prefs.UpdatedAt = now;
            linked++;
            // Stored before the reply, so a failed reply does not lose the link.
            state.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            await ReplyAsync(message.Chat.Id, "This chat now receives your Signalbook notifications. Choose which ones on Settings → Notifications.", ct);
        }
        state.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return new TelegramPoll(true, updates.Length, linked, refused, state.UpdateOffset);
    }

    private async Task ReplyAsync(long chatId, string text, CancellationToken ct)
    {
        try
        {
            await telegram.SendAsync(chatId.ToString(System.Globalization.CultureInfo.InvariantCulture), text, ct);
        }
        catch (TelegramDeliveryException e)
        {
            logger.LogWarning(e, "Could not answer Telegram chat {Chat}", chatId);
        }
    }
}
