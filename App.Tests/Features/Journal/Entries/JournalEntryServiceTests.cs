using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Entries;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.Entries;

/// <summary>JournalEntryService over a real database: CRUD, validation by field, tags, filters, attachments and ownership.</summary>
public sealed class JournalEntryServiceTests : ServiceHarness
{
    internal static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
    internal static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46];
    internal static readonly byte[] Gif = "GIF89a\u0001\0\u0001\0"u8.ToArray();
    internal static readonly byte[] Webp = [.. "RIFF"u8, 26, 0, 0, 0, .. "WEBPVP8 "u8];

    private Task<T> E<T>(Func<JournalEntryService, Task<T>> act) => WithAsync(act);

    private Task E(Func<JournalEntryService, Task> act) => WithAsync<JournalEntryService, bool>(async s =>
    {
        await act(s);
        return true;
    });

    private async Task<JournalCaller> TraderAsync(string email) => JournalCaller.Trader((await CreateUserAsync(email)).Id);

    private static readonly DateOnly Day = new(2026, 11, 20); // the harness clock's date

    private static JournalEntryInput Note(string content = "Followed the plan.", DateOnly? date = null, string type = "daily", IReadOnlyList<string>? tags = null,
        string? mood = null, string? trade = null) => new(date ?? Day, type, content, trade, tags, mood);

    /// <summary>A campaign of one fill (its group id is the fill's id, as the campaign builder makes it); returns the group id.</summary>
    private async Task<long> CampaignAsync(Guid owner)
    {
        await using var db = await DbAsync();
        var fill = new TradeFill
        {
            UserId = owner, Symbol = "ACME", Side = FillSide.Buy, Quantity = 5, Price = 10, ExecutedAt = Clock.GetUtcNow().AddDays(-2),
            ExternalTradeId = Guid.NewGuid().ToString("N"), Source = FillSource.Manual, CreatedAt = Clock.GetUtcNow(),
        };
        db.TradeFills.Add(fill);
        await db.SaveChangesAsync();
        db.CampaignSummaries.Add(new CampaignSummary
        {
            GroupId = fill.Id, UserId = owner, Symbol = "ACME", Direction = "long", OpenedAt = Clock.GetUtcNow().AddDays(-2), EntryAverage = 10, MaxPosition = 5,
            OpenQuantity = 5, FillCount = 1, UpdatedAt = Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
        return fill.Id;
    }

    [Fact]
    public async Task Create_NormalisesTags_ReadsBack_Updates_AndDeletes()
    {
        var me = await TraderAsync("notes@test.local");
        var campaign = await CampaignAsync(me.UserId);

        var id = await E(s => s.CreateAsync(me, Note("# Review\n**Held** the stop.", tags: ["  #Late Entry ", "FOMO", "fomo", ""], mood: "Calm", type: "trade", trade: $"#{campaign}")));

        var e = await E(s => s.GetAsync(me, id));
        Assert.Equal(["late-entry", "fomo"], e.Tags);
        Assert.Equal(("trade", "calm", campaign.ToString(System.Globalization.CultureInfo.InvariantCulture), Day), (e.EntryType, e.Mood, e.TradeId, e.Date));
        Assert.Equal("# Review\n**Held** the stop.", e.Content);

        await E(s => s.UpdateAsync(me, id, Note("Changed my mind.", tags: ["lesson"])));
        e = await E(s => s.GetAsync(me, id));
        Assert.Equal(("Changed my mind.", "daily", null, null), (e.Content, e.EntryType, e.Mood, e.TradeId));
        Assert.Equal(["lesson"], e.Tags);

        await E(s => s.DeleteAsync(me, id));
        await Assert.ThrowsAsync<JournalNotFoundException>(() => E(s => s.GetAsync(me, id)));
    }

    [Fact]
    public async Task Create_InvalidFields_EachErrorOnItsField_NothingWritten()
    {
        var me = await TraderAsync("invalid@test.local");
        var tags = Enumerable.Range(1, 21).Select(i => $"tag{i}").ToList();

        var e = await Assert.ThrowsAsync<JournalFormException>(() => E(s => s.CreateAsync(me,
            new JournalEntryInput(Day.AddDays(5), "diary", "   ", "999999", tags, "sleepy"))));

        Assert.Contains("later than tomorrow", e.On(JournalEntryFields.Date));
        Assert.Contains("daily, trade, weekly or lesson", e.On(JournalEntryFields.EntryType));
        Assert.Contains("empty", e.On(JournalEntryFields.Content));
        Assert.Equal("At most 20 tags per note; this one has 21.", e.On(JournalEntryFields.Tags));
        Assert.Contains("'sleepy' is not one of the moods", e.On(JournalEntryFields.Mood));
        Assert.Equal("There is no campaign #999999 in your journal.", e.On(JournalEntryFields.TradeId));
        await using var db = await DbAsync();
        Assert.Equal(0, await db.JournalEntries.CountAsync());

        // Exactly 20 (after duplicates collapse) is fine; a campaign of another trader is not found.
        var other = await TraderAsync("other-campaign@test.local");
        var theirs = await CampaignAsync(other.UserId);
        var ok = await E(s => s.CreateAsync(me, Note(tags: [.. tags.Take(20), "TAG1"])));
        Assert.Equal(20, (await E(s => s.GetAsync(me, ok))).Tags.Count);
        var foreign = await Assert.ThrowsAsync<JournalFormException>(() => E(s => s.CreateAsync(me, Note(trade: $"{theirs}"))));
        Assert.Equal($"There is no campaign #{theirs} in your journal.", foreign.On(JournalEntryFields.TradeId));
    }

    [Fact]
    public async Task List_FiltersByDateTypeTagAndMood_AndPages()
    {
        var me = await TraderAsync("list@test.local");
        for (var i = 0; i < 25; i++)
        {
            var n = i;
            await E(s => s.CreateAsync(me, Note($"Day {n}", Day.AddDays(-n), n % 5 == 0 ? "lesson" : "daily", n % 2 == 0 ? ["even", "Review"] : ["odd"],
                n % 3 == 0 ? "fomo" : null)));
        }
        var other = await TraderAsync("list-other@test.local");
        await E(s => s.CreateAsync(other, Note("Not yours", tags: ["even"])));

        var first = await E(s => s.ListAsync(me, new JournalEntryFilter()));
        Assert.Equal((25, 2, 20), (first.Total, first.Pages, first.Items.Count));
        Assert.Equal(Day, first.Items[0].Date);
        Assert.Equal("Day 0", first.Items[0].Excerpt);
        var second = await E(s => s.ListAsync(me, new JournalEntryFilter(Page: 2)));
        Assert.Equal(5, second.Items.Count);
        Assert.Equal(Day.AddDays(-24), second.Items[^1].Date);

        Assert.Equal(13, (await E(s => s.ListAsync(me, new JournalEntryFilter(Tag: "#EVEN")))).Total);
        Assert.Equal(13, (await E(s => s.ListAsync(me, new JournalEntryFilter(Tag: "review")))).Total);
        Assert.Equal(5, (await E(s => s.ListAsync(me, new JournalEntryFilter(EntryType: "lesson")))).Total);
        Assert.Equal(9, (await E(s => s.ListAsync(me, new JournalEntryFilter(Mood: "fomo")))).Total);
        var range = await E(s => s.ListAsync(me, new JournalEntryFilter(Day.AddDays(-9), Day.AddDays(-5))));
        Assert.Equal(5, range.Total);
        var combined = await E(s => s.ListAsync(me, new JournalEntryFilter(Day.AddDays(-9), Day, "lesson", "even", "fomo")));
        Assert.Equal([Day], combined.Items.Select(i => i.Date));
    }

    [Fact]
    public void Markdown_RendersFormatting_ButRawHtmlAndScriptLinksAreEscaped()
    {
        var html = JournalMarkdown.ToHtml("**Held** the stop <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n[bad](javascript:alert(3)) [good](https://example.com/a)");

        Assert.Contains("<strong>Held</strong>", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("href=\"https://example.com/a\"", html);
        Assert.Contains("<a href=\"#\">bad</a>", html);
        // Generic attributes are not an extension here: the braces stay text, never an attribute.
        Assert.DoesNotContain("onclick=\"", JournalMarkdown.ToHtml("[x](https://a.b){onclick=\"alert(1)\"}"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Attachments_AcceptTheFourFormatsByTheirBytes_RejectOthersBySizeAndCount_WithTheFileNamed()
    {
        var me = await TraderAsync("shots@test.local");
        var id = await E(s => s.CreateAsync(me, Note()));

        foreach (var (name, bytes, type) in new[] { ("a.png", Png, "image/png"), ("b.JPG", Jpeg, "image/jpeg"), ("c.gif", Gif, "image/gif"), ("d.webp", Webp, "image/webp") })
        {
            var info = await E(s => s.AddAttachmentAsync(me, id, name, bytes));
            Assert.Equal((name, type, bytes.Length), (info.FileName, info.ContentType, info.SizeBytes));
        }

        // A text file renamed .png: the bytes decide.
        var fake = await Assert.ThrowsAsync<JournalValidationException>(() => E(s => s.AddAttachmentAsync(me, id, "chart.png", "<svg onload=alert(1)>"u8.ToArray())));
        Assert.Equal(JournalEntryFields.Attachments, fake.Field);
        Assert.Equal("'chart.png' is not a PNG, JPEG, WebP or GIF image; only screenshots in those formats can be attached.", fake.Message);
        // A real PNG under another extension is refused too (the name must say image).
        await Assert.ThrowsAsync<JournalValidationException>(() => E(s => s.AddAttachmentAsync(me, id, "chart.exe", Png)));

        var big = new byte[JournalImages.MaxBytes + 1];
        Png.CopyTo(big, 0);
        var tooBig = await Assert.ThrowsAsync<JournalValidationException>(() => E(s => s.AddAttachmentAsync(me, id, "huge.png", big)));
        Assert.Equal("'huge.png' is 2 MB (2,097,153 bytes); a screenshot can be at most 2 MB (2,097,152 bytes). Crop it or save it as JPEG or WebP.", tooBig.Message);
        var exactly = new byte[JournalImages.MaxBytes];
        Png.CopyTo(exactly, 0);
        await E(s => s.AddAttachmentAsync(me, id, "max.png", exactly));

        for (var i = 0; i < 5; i++) await E(s => s.AddAttachmentAsync(me, id, $"more{i}.png", Png));
        var eleventh = await Assert.ThrowsAsync<JournalValidationException>(() => E(s => s.AddAttachmentAsync(me, id, "eleventh.png", Png)));
        Assert.Equal("'eleventh.png' was not attached: an entry can hold at most 10 screenshots. Remove one first.", eleventh.Message);

        var entry = await E(s => s.GetAsync(me, id));
        Assert.Equal(10, entry.Attachments.Count);
        await E(s => s.DeleteAttachmentAsync(me, entry.Attachments[0].Id));
        await E(s => s.AddAttachmentAsync(me, id, "eleventh.png", Png));

        var file = await E(s => s.AttachmentAsync(me.UserId, entry.Attachments[1].Id));
        Assert.Equal("image/jpeg", file!.ContentType);
        Assert.Equal(Jpeg, file.Data);

        // Deleting the entry deletes its screenshots.
        await E(s => s.DeleteAsync(me, id));
        await using var db = await DbAsync();
        Assert.Equal(0, await db.JournalAttachments.CountAsync());
    }

    [Fact]
    public async Task Ownership_AnotherTraderGetsNotFound_AViewerIsForbiddenToWrite()
    {
        var me = await TraderAsync("owner@test.local");
        var id = await E(s => s.CreateAsync(me, Note("Mine")));
        var shot = await E(s => s.AddAttachmentAsync(me, id, "a.png", Png));
        var stranger = await TraderAsync("stranger@test.local");

        await Assert.ThrowsAsync<JournalNotFoundException>(() => E(s => s.GetAsync(stranger, id)));
        await Assert.ThrowsAsync<JournalNotFoundException>(() => E(s => s.UpdateAsync(stranger, id, Note("Hijacked"))));
        await Assert.ThrowsAsync<JournalNotFoundException>(() => E(s => s.DeleteAsync(stranger, id)));
        await Assert.ThrowsAsync<JournalNotFoundException>(() => E(s => s.AddAttachmentAsync(stranger, id, "b.png", Png)));
        await Assert.ThrowsAsync<JournalNotFoundException>(() => E(s => s.DeleteAttachmentAsync(stranger, shot.Id)));
        Assert.Null(await E(s => s.AttachmentAsync(stranger.UserId, shot.Id)));
        Assert.Equal(0, (await E(s => s.ListAsync(stranger, new JournalEntryFilter()))).Total);

        var viewerUser = await CreateUserAsync("viewer@test.local", Roles.Viewer);
        var viewer = JournalCaller.Viewer(viewerUser.Id);
        await Assert.ThrowsAsync<JournalForbiddenException>(() => E(s => s.CreateAsync(viewer, Note())));
        await Assert.ThrowsAsync<JournalForbiddenException>(() => E(s => s.UpdateAsync(viewer, id, Note())));
        await Assert.ThrowsAsync<JournalForbiddenException>(() => E(s => s.DeleteAsync(viewer, id)));
        await Assert.ThrowsAsync<JournalForbiddenException>(() => E(s => s.AddAttachmentAsync(viewer, id, "c.png", Png)));
        await Assert.ThrowsAsync<JournalForbiddenException>(() => E(s => s.DeleteAttachmentAsync(viewer, shot.Id)));
        Assert.Equal("Mine", (await E(s => s.GetAsync(me, id))).Content);
    }

    [Fact]
    public async Task Today_IsTheDateInTheTradersTimeZone()
    {
        var me = await TraderAsync("zone@test.local");
        Clock.Advance(TimeSpan.FromHours(10)); // 2026-11-21 00:30 UTC
        Assert.Equal(new DateOnly(2026, 11, 21), await E(s => s.TodayAsync(me)));
        await WithAsync<UserSettingsService, TradingProfile>(s => s.UpdateTradingProfileAsync(me.UserId, p => p with { TimeZone = "America/New_York" }));
        Assert.Equal(new DateOnly(2026, 11, 20), await E(s => s.TodayAsync(me)));
    }
}
