using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Entries;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.Entries;

/// <summary>GET /journal/attachments/{id} through the whole app: the owner gets the image with its type and nosniff; nobody else finds it.</summary>
public sealed class JournalAttachmentEndpointTests(AppFactory app) : IClassFixture<AppFactory>
{
    private async Task<long> AttachAsync(string email, byte[] data, string name)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(email);
        var entries = scope.ServiceProvider.GetRequiredService<JournalEntryService>();
        var caller = JournalCaller.Trader(user!.Id); // set-up writes as the owner; the endpoint is what is under test
        var entry = await entries.CreateAsync(caller, new JournalEntryInput(DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)), JournalEntryTypes.Daily, "Chart"));
        return (await entries.AddAttachmentAsync(caller, entry, name, data)).Id;
    }

    [Fact]
    public async Task Attachment_IsServedOnlyToItsOwner_WithItsContentTypeAndNosniff()
    {
        var id = await AttachAsync(AppFactory.TraderEmail, JournalEntryServiceTests.Png, "chart.png");
        var viewerOwn = await AttachAsync(AppFactory.ViewerEmail, JournalEntryServiceTests.Gif, "mine.gif");

        var trader = await app.SignedInAsync(AppFactory.TraderEmail, AppFactory.DemoPassword);
        var response = await trader.GetAsync($"/journal/attachments/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(JournalEntryServiceTests.Png, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await trader.GetAsync($"/journal/attachments/{viewerOwn}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await trader.GetAsync("/journal/attachments/987654")).StatusCode);

        // Another account (a Viewer, and the Admin) does not find it; the Viewer gets their own.
        var viewer = await app.SignedInAsync(AppFactory.ViewerEmail, AppFactory.DemoPassword);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"/journal/attachments/{id}")).StatusCode);
        var own = await viewer.GetAsync($"/journal/attachments/{viewerOwn}");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("image/gif", own.Content.Headers.ContentType!.MediaType);
        var admin = await app.SignedInAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/journal/attachments/{id}")).StatusCode);

        // Signed out: no image (the sign-in redirect).
        var anonymous = await app.Browser().GetAsync($"/journal/attachments/{id}");
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.NotEqual("image/png", anonymous.Content.Headers.ContentType?.MediaType);
    }
}
