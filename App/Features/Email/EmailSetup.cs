namespace Signalbook.Features.Email;

public static class EmailSetup
{
    /// <summary>The outbox, with SMTP delivery (MailKit) when <c>Smtp:Host</c> is set.</summary>
    public static IServiceCollection AddSignalbookEmail(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Stateless (one short context per call): a singleton, so the notifier and its delivery jobs can use it.
        return services.AddSingleton<EmailService>();
    }
}
