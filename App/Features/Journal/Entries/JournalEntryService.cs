using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Users;

namespace Signalbook.Features.Journal.Entries;

/// <summary>journal_entries.entry_type.</summary>
public static class JournalEntryTypes
{
    public const string Daily = "daily";
    public const string Trade = "trade";
    public const string Weekly = "weekly";
    public const string Lesson = "lesson";

    public static readonly IReadOnlyList<string> All = [Daily, Trade, Weekly, Lesson];
}

/// <summary>The field names of an entry's <see cref="JournalFieldError"/>s.</summary>
public static class JournalEntryFields
{
    public const string Date = "date";
    public const string EntryType = "entry_type";
    public const string Content = "content";
    public const string TradeId = "trade_id";
    public const string Tags = "tags";
    public const string Mood = "mood";
    public const string Attachments = "attachments";
}

/// <summary>What the editor submits. Tags as typed (they are normalised); Mood one of <see cref="Emotions.All"/> or null.</summary>
public sealed record JournalEntryInput(DateOnly Date, string EntryType, string Content, string? TradeId = null, IReadOnlyList<string>? Tags = null,
    string? Mood = null);

/// <summary>The list's filter: a date range (inclusive), a type, one tag, a mood; 1-based page.</summary>
public sealed record JournalEntryFilter(DateOnly? From = null, DateOnly? To = null, string? EntryType = null, string? Tag = null, string? Mood = null,
    int Page = 1, int PageSize = JournalEntryService.DefaultPageSize);

public sealed record JournalEntryRow(long Id, DateOnly Date, string EntryType, string Excerpt, string? TradeId, IReadOnlyList<string> Tags, string? Mood,
    int Attachments, DateTimeOffset UpdatedAt);

public sealed record JournalEntryPage(IReadOnlyList<JournalEntryRow> Items, int Total, int Page, int PageSize)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

public sealed record JournalAttachmentInfo(long Id, string FileName, string ContentType, int SizeBytes)
{
    public string Url => $"/journal/attachments/{Id}";
}

public sealed record JournalEntryDetail(long Id, DateOnly Date, string EntryType, string Content, string? TradeId, IReadOnlyList<string> Tags, string? Mood,
    IReadOnlyList<JournalAttachmentInfo> Attachments, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>An attachment's bytes, for the authorised endpoint.</summary>
public sealed record JournalAttachmentFile(string FileName, string ContentType, byte[] Data);

/// <summary>
/// The trader's journal notes (Markdown, tags, mood, an optional campaign) and their screenshots. Every query is scoped
/// to <see cref="JournalCaller.UserId"/>: another trader's note is not found; Viewers read and change nothing.
/// </summary>
public sealed partial class JournalEntryService(IDbContextFactory<AppDbContext> factory, UserSettingsService settings, TimeProvider clock)
{
    public const int DefaultPageSize = 20;
    public const int MaxContentLength = 50_000;
    public const int MaxTags = 20;
    public const int MaxTagLength = 40;

    /// <summary>Today in the trader's time zone (the editor's default date).</summary>
    public async Task<DateOnly> TodayAsync(JournalCaller caller, CancellationToken ct = default)
    {
        var (profile, _, _) = await settings.GetTradingAsync(caller.UserId, ct);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), UserSettingsService.ZoneOf(profile)).DateTime);
    }

    public async Task<JournalEntryPage> ListAsync(JournalCaller caller, JournalEntryFilter filter, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var size = Math.Clamp(filter.PageSize, 1, 100);
        var page = Math.Max(1, filter.Page);
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.JournalEntries.AsNoTracking().Where(e => e.UserId == caller.UserId);
        if (filter.From is { } from) q = q.Where(e => e.Date >= from);
        if (filter.To is { } to) q = q.Where(e => e.Date <= to);
        if (!string.IsNullOrWhiteSpace(filter.EntryType)) q = q.Where(e => e.EntryType == filter.EntryType);
        if (!string.IsNullOrWhiteSpace(filter.Mood)) q = q.Where(e => e.Mood == filter.Mood);
        if (NormaliseTag(filter.Tag) is { Length: > 0 } tag)
        {
            var contained = JsonSerializer.Serialize(new[] { tag });
            q = q.Where(e => EF.Functions.JsonContains(e.Tags, contained));
        }
        var total = await q.CountAsync(ct);
        var rows = await q.OrderByDescending(e => e.Date).ThenByDescending(e => e.Id).Skip((page - 1) * size).Take(size)
            .Select(e => new
            {
                e.Id, e.Date, e.EntryType, e.Content, e.TradeId, e.Tags, e.Mood, e.UpdatedAt,
                Attachments = db.JournalAttachments.Count(a => a.JournalEntryId == e.Id),
            })
            .ToListAsync(ct);
        var items = rows.Select(r => new JournalEntryRow(r.Id, r.Date, r.EntryType, JournalMarkdown.ToPlainText(r.Content), r.TradeId, ReadTags(r.Tags), r.Mood,
            r.Attachments, r.UpdatedAt)).ToList();
        return new JournalEntryPage(items, total, page, size);
    }

    public async Task<JournalEntryDetail> GetAsync(JournalCaller caller, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var e = await db.JournalEntries.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id && x.UserId == caller.UserId, ct)
                ?? throw new JournalNotFoundException($"Journal entry {id}");
        var attachments = await db.JournalAttachments.AsNoTracking().Where(a => a.JournalEntryId == id && a.UserId == caller.UserId).OrderBy(a => a.Id)
            .Select(a => new JournalAttachmentInfo(a.Id, a.FileName, a.ContentType, a.SizeBytes)).ToListAsync(ct);
        return new JournalEntryDetail(e.Id, e.Date, e.EntryType, e.Content, e.TradeId, ReadTags(e.Tags), e.Mood, attachments, e.CreatedAt, e.UpdatedAt);
    }

    /// <summary>Every problem with <paramref name="input"/>, each on its field; empty when it can be saved. Writes nothing.</summary>
    public async Task<IReadOnlyList<JournalFieldError>> ValidateAsync(JournalCaller caller, JournalEntryInput input, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return (await CheckAsync(db, caller, input, ct)).Errors;
    }

    /// <exception cref="JournalFormException">Every field error at once; nothing was written.</exception>
    public async Task<long> CreateAsync(JournalCaller caller, JournalEntryInput input, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        await using var db = await factory.CreateDbContextAsync(ct);
        var (errors, clean) = await CheckAsync(db, caller, input, ct);
        JournalFormException.ThrowIfAny(errors);
        var now = clock.GetUtcNow();
        var entry = new JournalEntry { UserId = caller.UserId, CreatedAt = now };
        Apply(entry, clean, now);
        db.JournalEntries.Add(entry);
        await db.SaveChangesAsync(ct);
        return entry.Id;
    }

    /// <exception cref="JournalFormException">Every field error at once; nothing was written.</exception>
    public async Task UpdateAsync(JournalCaller caller, long id, JournalEntryInput input, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        await using var db = await factory.CreateDbContextAsync(ct);
        var entry = await db.JournalEntries.SingleOrDefaultAsync(x => x.Id == id && x.UserId == caller.UserId, ct)
                    ?? throw new JournalNotFoundException($"Journal entry {id}");
        var (errors, clean) = await CheckAsync(db, caller, input, ct);
        JournalFormException.ThrowIfAny(errors);
        Apply(entry, clean, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Deletes the entry and its attachments.</summary>
    public async Task DeleteAsync(JournalCaller caller, long id, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        await using var db = await factory.CreateDbContextAsync(ct);
        var deleted = await db.JournalEntries.Where(x => x.Id == id && x.UserId == caller.UserId).ExecuteDeleteAsync(ct);
        if (deleted == 0) throw new JournalNotFoundException($"Journal entry {id}");
    }

    /// <summary>
    /// Attaches a screenshot to an entry: the bytes must be a PNG, JPEG, WebP or GIF (<see cref="JournalImages.Sniff"/>), at
    /// most <see cref="JournalImages.MaxBytes"/>, and the entry may hold at most <see cref="JournalImages.MaxPerEntry"/>.
    /// </summary>
    /// <exception cref="JournalValidationException">On field "attachments", naming the file.</exception>
    public async Task<JournalAttachmentInfo> AddAttachmentAsync(JournalCaller caller, long entryId, string fileName, byte[] data, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        caller.EnsureWrite();
        var name = CleanFileName(fileName);
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await db.JournalEntries.AnyAsync(x => x.Id == entryId && x.UserId == caller.UserId, ct)) throw new JournalNotFoundException($"Journal entry {entryId}");
        if (JournalImages.Problem(name, data) is { } problem) throw new JournalValidationException(JournalEntryFields.Attachments, problem);
        var count = await db.JournalAttachments.CountAsync(a => a.JournalEntryId == entryId, ct);
        if (count >= JournalImages.MaxPerEntry)
        {
            throw new JournalValidationException(JournalEntryFields.Attachments,
                $"'{name}' was not attached: an entry can hold at most {JournalImages.MaxPerEntry} screenshots. Remove one first.");
        }
        var attachment = new JournalAttachment
        {
            JournalEntryId = entryId, UserId = caller.UserId, FileName = name, ContentType = JournalImages.Sniff(data)!, SizeBytes = data.Length, Data = data,
            CreatedAt = clock.GetUtcNow(),
        };
        db.JournalAttachments.Add(attachment);
        await db.SaveChangesAsync(ct);
        return new JournalAttachmentInfo(attachment.Id, attachment.FileName, attachment.ContentType, attachment.SizeBytes);
    }

    public async Task DeleteAttachmentAsync(JournalCaller caller, long attachmentId, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        await using var db = await factory.CreateDbContextAsync(ct);
        var deleted = await db.JournalAttachments.Where(a => a.Id == attachmentId && a.UserId == caller.UserId).ExecuteDeleteAsync(ct);
        if (deleted == 0) throw new JournalNotFoundException($"Attachment {attachmentId}");
    }

    /// <summary>The owner's attachment, or null (someone else's is the same as none).</summary>
    public async Task<JournalAttachmentFile?> AttachmentAsync(Guid userId, long attachmentId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.JournalAttachments.AsNoTracking().Where(a => a.Id == attachmentId && a.UserId == userId)
            .Select(a => new JournalAttachmentFile(a.FileName, a.ContentType, a.Data)).SingleOrDefaultAsync(ct);
    }

    /// <summary>
    /// A tag as stored: trimmed, lower-case, a leading '#' dropped, inner spaces as one '-' ("#Late Entry " → "late-entry").
    /// </summary>
    public static string NormaliseTag(string? tag)
    {
        var t = (tag ?? "").Trim().TrimStart('#').Trim().ToLowerInvariant();
        return Spaces().Replace(t, "-");
    }

    /// <summary>Tags normalised, empties dropped, duplicates removed (first kept), in the order typed.</summary>
    public static IReadOnlyList<string> NormaliseTags(IEnumerable<string>? tags)
        => (tags ?? []).Select(NormaliseTag).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    private sealed record Clean(DateOnly Date, string EntryType, string Content, string? TradeId, IReadOnlyList<string> Tags, string? Mood);

    private async Task<(List<JournalFieldError> Errors, Clean Clean)> CheckAsync(AppDbContext db, JournalCaller caller, JournalEntryInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<JournalFieldError>();
        var today = await TodayAsync(caller, ct);
        if (input.Date == default || input.Date.Year < 1970) errors.Add(new(JournalEntryFields.Date, "Choose the day this note is about."));
        else if (input.Date > today.AddDays(1)) errors.Add(new(JournalEntryFields.Date, $"The date cannot be later than tomorrow ({today.AddDays(1):yyyy-MM-dd}) in your time zone."));

        var type = (input.EntryType ?? "").Trim().ToLowerInvariant();
        if (!JournalEntryTypes.All.Contains(type)) errors.Add(new(JournalEntryFields.EntryType, "Choose the kind of note: daily, trade, weekly or lesson."));

        var content = (input.Content ?? "").TrimEnd();
        if (content.Trim().Length == 0) errors.Add(new(JournalEntryFields.Content, "Write something: the note is empty."));
        else if (content.Length > MaxContentLength)
            errors.Add(new(JournalEntryFields.Content, $"A note can be at most {MaxContentLength:N0} characters; this one has {content.Length:N0}."));

        var tags = NormaliseTags(input.Tags);
        if (tags.Count > MaxTags) errors.Add(new(JournalEntryFields.Tags, $"At most {MaxTags} tags per note; this one has {tags.Count}."));
        if (tags.FirstOrDefault(t => t.Length > MaxTagLength) is { } longTag)
            errors.Add(new(JournalEntryFields.Tags, $"A tag can be at most {MaxTagLength} characters: '{longTag[..20]}…' is {longTag.Length}."));

        var mood = string.IsNullOrWhiteSpace(input.Mood) ? null : input.Mood.Trim().ToLowerInvariant();
        if (mood is not null && !Emotions.All.Contains(mood)) errors.Add(new(JournalEntryFields.Mood, $"'{input.Mood}' is not one of the moods: {string.Join(", ", Emotions.All)}."));

        var tradeId = string.IsNullOrWhiteSpace(input.TradeId) ? null : input.TradeId.Trim().TrimStart('#');
        if (tradeId is not null)
        {
            if (!long.TryParse(tradeId, out var groupId) || groupId <= 0)
                errors.Add(new(JournalEntryFields.TradeId, $"'{input.TradeId}' is not a campaign number."));
            else if (!await db.CampaignSummaries.AnyAsync(c => c.GroupId == groupId && c.UserId == caller.UserId, ct))
                errors.Add(new(JournalEntryFields.TradeId, $"There is no campaign #{groupId} in your journal."));
        }
        return (errors, new Clean(input.Date, type, content, tradeId, tags, mood));
    }

    private static void Apply(JournalEntry entry, Clean clean, DateTimeOffset now)
    {
        entry.Date = clean.Date;
        entry.EntryType = clean.EntryType;
        entry.Content = clean.Content;
        entry.TradeId = clean.TradeId;
        entry.Tags = JsonSerializer.Serialize(clean.Tags);
        entry.Mood = clean.Mood;
        entry.UpdatedAt = now;
    }

    private static IReadOnlyList<string> ReadTags(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string CleanFileName(string? fileName)
    {
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/')).Trim();
        if (name.Length == 0) name = "screenshot";
        return name.Length <= 255 ? name : name[^255..];
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
