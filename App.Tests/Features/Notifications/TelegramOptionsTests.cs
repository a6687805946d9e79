using System.ComponentModel.DataAnnotations;
using Signalbook.Features.Notifications.Telegram;

namespace Signalbook.Tests.Features.Notifications;

public sealed class TelegramOptionsTests
{
    private static List<ValidationResult> Check(TelegramOptions o)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(o, new ValidationContext(o), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void TheShippedEmptySettings_AreValid_AndTelegramIsOff()
    {
        var o = new TelegramOptions { BotToken = "", ApiBaseUrl = "", BotUsername = "" };
        Assert.Empty(Check(o));
        Assert.False(o.IsConfigured);
    }

    [Fact]
    public void ABadBaseUrlOrToken_IsRefusedAtStart_NamingTheSetting()
    {
        var results = Check(new TelegramOptions { BotToken = "no-colon-here", ApiBaseUrl = "localhost:8081" });
        Assert.Contains(results, r => r.ErrorMessage!.StartsWith("Telegram:ApiBaseUrl 'localhost:8081'", StringComparison.Ordinal));
        Assert.Contains(results, r => r.ErrorMessage!.StartsWith("Telegram:BotToken does not look like a bot token", StringComparison.Ordinal));
        Assert.Equal(123456, new TelegramOptions { BotToken = "123456:ABC" }.BotId);
    }
}
