namespace Signalbook.Features.Email;

public static class EmailSetup
{
    /// <summary>The outbox, with SMTP delivery when <c>Smtp:Host</c> is set.</summary>
    public static IServiceCollection AddSignalbookEmail(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services.AddScoped<EmailService>();
    }
}
