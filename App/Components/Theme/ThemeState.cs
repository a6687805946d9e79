using Signalbook.Features.Users;

namespace Signalbook.Components.Theme;

/// <summary>
/// The circuit's theme: the user's choice (light, dark or follow the system) and whether the page is dark now.
/// The layout owns the <c>MudThemeProvider</c> and listens to <see cref="Changed"/>; the theme menu sets the choice,
/// which is saved in <c>user_settings.site_prefs</c> and applied at once, without a reload.
/// </summary>
public sealed class ThemeState
{
    public string Mode { get; private set; } = UiThemes.Light;

    /// <summary>The browser's own preference, once the layout has asked it (interactive renders only).</summary>
    public bool? SystemPrefersDark { get; private set; }

    public bool IsDark => Mode == UiThemes.Dark || (Mode == UiThemes.System && SystemPrefersDark == true);

    public event Func<Task>? Changed;

    public Task SetModeAsync(string mode)
    {
        Mode = UiThemes.Normalize(mode);
        return RaiseAsync();
    }

    public Task SetSystemPreferenceAsync(bool prefersDark)
    {
        SystemPrefersDark = prefersDark;
        return RaiseAsync();
    }

    /// <summary>Sets the saved choice at start-up, before anything renders (no event).</summary>
    public void Initialize(string mode) => Mode = UiThemes.Normalize(mode);

    private async Task RaiseAsync()
    {
        if (Changed is { } handlers)
        {
            foreach (var handler in handlers.GetInvocationList().Cast<Func<Task>>()) await handler();
        }
    }
}
