using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Audit;
using Signalbook.Features.Email;
using Signalbook.Features.Waitlist;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Waitlist;

public sealed class WaitlistServiceTests : ServiceHarness
{
    private const string Base = "https://signalbook.example/";

    private Task<T> WithAsync<T>(Func<WaitlistService, Task<T>> act) => WithAsync<WaitlistService, T>(act);

    [Fact]
    public async Task Join_NewEmail_StoresPendingEntryAndAudits()
    {
        var outcome = await WithAsync(w => w.JoinAsync("  Ada Moreau ", "Ada@Example.com ", "A friend", "10.0.0.1"));
        Assert.Equal(JoinOutcome.Joined, outcome);
        await using var db = await DbAsync();
        var entry = await db.Waitlist.SingleAsync(w => w.NormalizedEmail == "ADA@EXAMPLE.COM");
        Assert.Equal("Ada Moreau", entry.Name);
        Assert.Equal("Ada@Example.com", entry.Email);
        Assert.Equal(WaitlistStatus.Pending, entry.Status);
        Assert.True(await db.AuditLogs.AnyAsync(a => a.Action == AuditActions.WaitlistJoined && a.ResourceId == entry.Id.ToString()));
    }

    [Fact]
    public async Task Join_SameEmailInOtherCase_IsAlreadyOnListAndStoresNothingNew()
    {
        await WithAsync(w => w.JoinAsync("Ben", "ben@example.com", null, "10.0.0.2"));
        var again = await WithAsync(w => w.JoinAsync("Someone else", "BEN@example.COM", null, "10.0.0.3"));
        Assert.Equal(JoinOutcome.AlreadyOnList, again);
        await using var db = await DbAsync();
        var entry = await db.Waitlist.SingleAsync(w => w.NormalizedEmail == "BEN@EXAMPLE.COM");
        Assert.Equal("Ben", entry.Name); // the second form did not overwrite the first
    }

    [Fact]
    public async Task Join_MoreThanTheLimitFromOneAddress_IsRateLimited()
    {
        var outcomes = new List<JoinOutcome>();
        for (var i = 0; i < 7; i++) outcomes.Add(await WithAsync(w => w.JoinAsync($"V{i}", $"v{i}@limit.test", null, "203.0.113.9")));
        Assert.Equal(5, outcomes.Count(o => o == JoinOutcome.Joined));
        Assert.Equal(2, outcomes.Count(o => o == JoinOutcome.RateLimited));
        Assert.Equal(JoinOutcome.Joined, await WithAsync(w => w.JoinAsync("Other", "other@limit.test", null, "203.0.113.10")));
    }

    [Fact]
    public async Task Approve_CreatesOneTimeLinkEmailAndAudit_StoringOnlyTheHash()
    {
        await WithAsync(w => w.JoinAsync("Chloe", "chloe@example.com", null, "10.0.1.1"));
        var admin = await AdminAsync();
        await using var db = await DbAsync();
        var id = (await db.Waitlist.SingleAsync(w => w.Email == "chloe@example.com")).Id;

        var invitation = await WithAsync(w => w.ApproveAsync(id, ActorOf(admin), Base));

        Assert.NotNull(invitation);
        Assert.StartsWith("https://signalbook.example/account/register?invite=", invitation.Link);
        var token = invitation.Link.Split("invite=")[1];
        Assert.Equal(Clock.GetUtcNow().AddDays(7), invitation.ExpiresAt);
        var entry = await db.Waitlist.AsNoTracking().SingleAsync(w => w.Id == id);
        Assert.Equal(WaitlistStatus.Approved, entry.Status);
        Assert.Equal(WaitlistService.HashToken(token), entry.InvitationTokenHash);
        Assert.DoesNotContain(token, entry.InvitationTokenHash);
        var mail = await db.EmailOutbox.SingleAsync(m => m.ToAddress == "chloe@example.com");
        Assert.Contains(invitation.Link, mail.BodyText);
        Assert.Equal(EmailStatus.Stored, mail.Status); // no SMTP configured: it waits in the outbox
        Assert.True(await db.AuditLogs.AnyAsync(a => a.Action == AuditActions.WaitlistApproved && a.UserId == admin.Id));
    }

    [Fact]
    public async Task Invitation_ClaimedTwiceAtOnce_OnlyOneClaimWins()
    {
        var token = await InviteAsync("dev@example.com");
        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => WithAsync(w => w.ClaimInvitationAsync(token))));
        Assert.Single(claims, c => c is not null);
        Assert.Null(await WithAsync(w => w.FindInvitationAsync(token)));
    }

    [Fact]
    public async Task Invitation_AfterExpiry_IsNotUsable()
    {
        var token = await InviteAsync("elif@example.com");
        Assert.NotNull(await WithAsync(w => w.FindInvitationAsync(token)));
        Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        Assert.Null(await WithAsync(w => w.FindInvitationAsync(token)));
        Assert.Null(await WithAsync(w => w.ClaimInvitationAsync(token)));
        Clock.Advance(-(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Reject_AfterApproval_InvalidatesTheLink()
    {
        var token = await InviteAsync("farid@example.com");
        var admin = await AdminAsync();
        var row = await WithAsync(w => w.FindInvitationAsync(token));
        Assert.True(await WithAsync(w => w.RejectAsync(row!.Id, ActorOf(admin))));
        Assert.Null(await WithAsync(w => w.FindInvitationAsync(token)));
        var (rows, _) = await WithAsync(w => w.QueryAsync(new WaitlistQuery("farid", WaitlistStatus.Rejected)));
        Assert.Single(rows);
    }

    [Fact]
    public async Task Approve_Again_ReplacesThePreviousLink()
    {
        var first = await InviteAsync("grace@example.com");
        var admin = await AdminAsync();
        var id = (await WithAsync(w => w.FindInvitationAsync(first)))!.Id;
        var second = await WithAsync(w => w.ApproveAsync(id, ActorOf(admin), Base));
        Assert.Null(await WithAsync(w => w.FindInvitationAsync(first)));
        Assert.NotNull(await WithAsync(w => w.FindInvitationAsync(second!.Link.Split("invite=")[1])));
    }

    [Fact]
    public async Task Query_SearchesAndFiltersAndPages()
    {
        for (var i = 0; i < 12; i++)
        {
            await WithAsync(w => w.JoinAsync($"Pager {i}", $"pager{i}@query.test", i % 2 == 0 ? "Hacker News" : "A friend", $"198.51.100.{i}"));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var (page1, total) = await WithAsync(w => w.QueryAsync(new WaitlistQuery("query.test", null, 0, 5)));
        var (page3, _) = await WithAsync(w => w.QueryAsync(new WaitlistQuery("query.test", null, 10, 5)));
        var (news, newsTotal) = await WithAsync(w => w.QueryAsync(new WaitlistQuery("hacker news", WaitlistStatus.Pending, 0, 50)));
        Assert.Equal(12, total);
        Assert.Equal(5, page1.Count);
        Assert.Equal("Pager 11", page1[0].Name); // newest first
        Assert.Equal(2, page3.Count);
        Assert.Equal(6, newsTotal);
        Assert.All(news, r => Assert.Equal("Hacker News", r.Referral));
    }

    [Fact]
    public async Task SignupsPerDay_IsZeroFilledAndCountsByUtcDay()
    {
        await using (var db = await DbAsync())
        {
            var today = Clock.GetUtcNow();
            foreach (var (days, n) in new[] { (0, 2), (2, 1), (40, 3) })
            {
                for (var k = 0; k < n; k++)
                {
                    var at = today.AddDays(-days);
                    db.Waitlist.Add(new WaitlistEntry { Name = "x", Email = $"d{days}k{k}@days.test", NormalizedEmail = $"D{days}K{k}@DAYS.TEST", CreatedAt = at, UpdatedAt = at });
                }
            }
            await db.SaveChangesAsync();
        }
        var series = await WithAsync(w => w.SignupsPerDayAsync(14));
        Assert.Equal(14, series.Count);
        Assert.Equal(DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime), series[^1].Day);
        Assert.True(series[^1].Count >= 2);
        Assert.True(series[^3].Count >= 1);
        Assert.Equal(series.Select(s => s.Day).Distinct().Count(), series.Count);
    }

    [Fact]
    public async Task Notes_TooLong_AreRefused()
    {
        await WithAsync(w => w.JoinAsync("Hiro", "hiro@example.com", null, "10.0.2.1"));
        await using var db = await DbAsync();
        var id = (await db.Waitlist.SingleAsync(w => w.Email == "hiro@example.com")).Id;
        var admin = await AdminAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => WithAsync(w => w.SaveNotesAsync(id, new string('x', 4001), ActorOf(admin))));
        Assert.True(await WithAsync(w => w.SaveNotesAsync(id, "Met at the meetup", ActorOf(admin))));
        Assert.Equal("Met at the meetup", (await db.Waitlist.AsNoTracking().SingleAsync(w => w.Id == id)).Notes);
    }

    private async Task<string> InviteAsync(string email)
    {
        await WithAsync(w => w.JoinAsync(email.Split("@")[0], email, null, "invite-" + email));
        await using var db = await DbAsync();
        var id = (await db.Waitlist.SingleAsync(w => w.Email == email)).Id;
        var admin = await AdminAsync();
        var invitation = await WithAsync(w => w.ApproveAsync(id, ActorOf(admin), Base));
        return invitation!.Link.Split("invite=")[1];
    }

    [Fact]
    public async Task Query_SortsByTheGridsColumn_AndPagesAfterSorting()
    {
        foreach (var (name, email) in new[] { ("Cleo", "cleo@example.com"), ("Abel", "abel@example.com"), ("Bea", "bea@example.com") })
        {
            await WithAsync(w => w.JoinAsync(name, email, null, $"10.1.0.{name.Length}{email[0]}"));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var byName = await WithAsync(w => w.QueryAsync(new WaitlistQuery(SortBy: nameof(WaitlistRow.Name), Descending: false)));
        Assert.Equal(["Abel", "Bea", "Cleo"], byName.Rows.Select(r => r.Name));
        var newest = await WithAsync(w => w.QueryAsync(new WaitlistQuery()));
        Assert.Equal(["Bea", "Abel", "Cleo"], newest.Rows.Select(r => r.Name));
        var secondPage = await WithAsync(w => w.QueryAsync(new WaitlistQuery(Skip: 2, Take: 2, SortBy: nameof(WaitlistRow.Email), Descending: true)));
        Assert.Equal(3, secondPage.Total);
        Assert.Equal("abel@example.com", Assert.Single(secondPage.Rows).Email);
    }
}
