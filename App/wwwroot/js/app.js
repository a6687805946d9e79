// Signalbook's small global script: theme switching, shared by every page.
window.signalbook = {
  /** Applies a resolved theme ("light" or "dark") at once: our CSS and the open charts (MudBlazor's palette is the layout's). */
  setTheme(theme, mode) {
    const root = document.documentElement;
    root.dataset.theme = theme;
    if (mode) root.dataset.themeMode = mode;
    document.dispatchEvent(new CustomEvent("signalbook:theme", { detail: { theme } }));
  },
  currentTheme() {
    return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
  },
};

// "Follow the system" before Blazor starts: the server cannot know the browser's preference.
(() => {
  const root = document.documentElement;
  if (root.dataset.themeMode === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches) {
    root.dataset.theme = "dark";
  }
})();
