using Signalbook.Features.Journal.Stats;

namespace Signalbook.Tests.Features.Journal.Stats;

/// <summary>The statistics read emotions from the jsonb array's text; each element reads as jsonb_array_elements_text gives it.</summary>
public sealed class JournalStatsEmotionsTextTests
{
    [Fact]
    public void JsonArrayText_Strings_AreUnescaped() =>
        Assert.Equal(new[] { "calm", "fomo", "süß \"x\"" }, JournalStatsService.JsonArrayText("""["calm", "fomo", "s\u00fc\u00df \"x\""]"""));

    [Fact]
    public void JsonArrayText_OtherElements_KeepTheirJsonText() =>
        Assert.Equal(new[] { "1.50", "true", null!, """{"a": [1, 2]}""", "[3]" }, JournalStatsService.JsonArrayText("""[1.50, true, null, {"a": [1, 2]}, [3]]"""));

    [Fact]
    public void JsonArrayText_Empty_IsEmpty() => Assert.Empty(JournalStatsService.JsonArrayText("[]"));
}
