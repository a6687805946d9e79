using Microsoft.AspNetCore.Mvc;
using Signalbook.Features.Users;

namespace Signalbook.Account;

public static class AccountEndpoints
{
    /// <summary>POST /account/logout. A form post, so antiforgery is enforced on it.</summary>
    public static void MapSignalbookAccount(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/logout", async (SignalbookSignInManager signIn, [FromForm] string? returnUrl) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect(ReturnUrls.Safe(returnUrl, "/"));
        }).RequireAuthorization();
    }
}

public static class ReturnUrls
{
    /// <summary>Only a path on this site: "/x" but not "//host" or "/\host" or an absolute URL.</summary>
    public static string Safe(string? url, string fallback = "/app")
        => !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : fallback;
}
