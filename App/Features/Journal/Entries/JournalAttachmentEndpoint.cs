using System.Security.Claims;

namespace Signalbook.Features.Journal.Entries;

public static class JournalAttachmentEndpoint
{
    public const string Route = "/journal/attachments/{id:long}";

    /// <summary>
    /// <c>GET /journal/attachments/{id}</c>: a journal screenshot, only to its owner (anyone else, Admins included, gets
    /// 404 as if it did not exist). The stored content type (checked from the bytes on upload) with
    /// <c>X-Content-Type-Options: nosniff</c>, shown inline, cached privately by the browser only.
    /// </summary>
    public static void MapJournalAttachments(this WebApplication app)
    {
        app.MapGet(Route, async (long id, ClaimsPrincipal user, HttpContext http, JournalEntryService entries, CancellationToken ct) =>
        {
            if (!Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var userId)) return Results.NotFound();
            var file = await entries.AttachmentAsync(userId, id, ct);
            if (file is null) return Results.NotFound();
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "private, max-age=3600";
            http.Response.Headers.ContentDisposition = "inline";
            return Results.File(file.Data, file.ContentType);
        }).RequireAuthorization();
    }
}
