namespace Signalbook.Hosting;

/// <summary>
/// The response headers every page and API answer carries. The Content-Security-Policy allows what the app uses and
/// nothing more: scripts only from this origin (blazor.web.js, MudBlazor, ApexCharts, our modules — no inline script,
/// no eval), styles from this origin plus inline style attributes (MudBlazor and ApexCharts set element styles), images
/// from this origin and data: URIs (chart exports, the two-factor QR code), the Blazor circuit's WebSocket to this
/// origin, no plugins, no framing. Hangfire's dashboard renders inline scripts of its own, so its path alone gets
/// <c>'unsafe-inline'</c> for scripts (and it is an Admin-only page).
/// </summary>
public static class SecurityHeaders
{
    public const string HangfirePath = "/admin/hangfire";

    public const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public const string DashboardPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()";

    public static IApplicationBuilder UseSignalbookSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(HangfirePath) ? DashboardPolicy : Policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = PermissionsPolicy;
            return Task.CompletedTask;
        });
        return next(context);
    });
}
