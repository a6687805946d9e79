using Microsoft.AspNetCore.Antiforgery;
using Signalbook.Features.Users;

namespace Signalbook.Account;

public static class AccountEndpoints
{
    /// <summary>POST /account/logout. A form post, so antiforgery is enforced on it.</summary>
    public static void MapSignalbookAccount(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/logout", async Task<IResult> (HttpContext context, SignalbookSignInManager signIn) =>
        {
            // The antiforgery middleware has checked the token; refuse the post plainly if it failed.
            if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
            {
                return TypedResults.BadRequest("The sign-out form has expired. Reload the page and try again.");
            }
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect(ReturnUrls.Safe(form["returnUrl"], "/"));
        }).RequireAuthorization().WithMetadata(new RequireAntiforgeryTokenAttribute());
    }
}

public static class ReturnUrls
{
    /// <summary>Only a path on this site: "/x" but not "//host" or "/\host" or an absolute URL.</summary>
    public static string Safe(string? url, string fallback = "/app")
        => !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : fallback;
}
