using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Signalbook.Data;

namespace Signalbook.Features.Users;

public static class UsersSetup
{
    /// <summary>Identity with roles, the session-backed cookie, registration and user administration.</summary>
    public static IServiceCollection AddSignalbookUsers(this IServiceCollection services)
    {
        services.AddOptions<AdminBootstrapOptions>().BindConfiguration(AdminBootstrapOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RegistrationOptions>().BindConfiguration(RegistrationOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, SessionRevalidatingStateProvider>();
        services.AddScoped<CurrentUser>();

        services.AddAuthentication(o =>
        {
            o.DefaultScheme = IdentityConstants.ApplicationScheme;
            o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
        }).AddIdentityCookies();
        services.AddAuthorization();

        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
                o.SignIn.RequireConfirmedEmail = true; // invited, bootstrapped and demo accounts are confirmed already
                o.Password.RequiredLength = 10;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(10);
            })
            .AddRoles<AppRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager<SignalbookSignInManager>()
            .AddClaimsPrincipalFactory<AppClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "signalbook.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = SessionService.Lifetime;
            o.Events.OnValidatePrincipal = SessionCookieValidator.ValidateAsync;
        });

        // Identity re-issues the principal when it re-checks the security stamp (every 30 minutes by default); the new one
        // must keep the server-side session's id, or the next request would find no session and sign the user out.
        services.Configure<SecurityStampValidatorOptions>(o => o.OnRefreshingPrincipal = context =>
        {
            if (context.CurrentPrincipal?.FindFirst(SignalbookSignInManager.SessionClaim) is { } sid
                && context.NewPrincipal?.Identity is System.Security.Claims.ClaimsIdentity identity && identity.FindFirst(SignalbookSignInManager.SessionClaim) is null)
                identity.AddClaim(new System.Security.Claims.Claim(SignalbookSignInManager.SessionClaim, sid.Value));
            return Task.CompletedTask;
        });

        services.AddScoped<SessionService>();
        services.AddSingleton<UserSettingsService>(); // stateless: the notification services (singletons) use it too
        services.AddScoped<UserAdminService>();
        services.AddScoped<RegistrationService>();
        services.AddScoped<TwoFactorService>();
        services.AddScoped<AccountEmails>();
        services.AddScoped<AdminBootstrapper>();
        return services;
    }
}

/// <summary>Adds the display name to the cookie's claims, for the header.</summary>
internal sealed class AppClaimsPrincipalFactory(UserManager<AppUser> users, RoleManager<AppRole> roles, Microsoft.Extensions.Options.IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, AppRole>(users, roles, options)
{
    protected override async Task<System.Security.Claims.ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (!string.IsNullOrWhiteSpace(user.Name)) identity.AddClaim(new System.Security.Claims.Claim("name", user.Name));
        return identity;
    }
}
