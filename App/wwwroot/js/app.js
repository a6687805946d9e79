// Signalbook's small global script: theme switching, shared by every page.
window.signalbook = {
  /** Applies a resolved theme ("light" or "dark") at once: our CSS, Radzen's stylesheet while it lasts, open charts. */
  setTheme(theme, mode) {
    const root = document.documentElement;
    root.dataset.theme = theme;
    if (mode) root.dataset.themeMode = mode;
    const link = document.getElementById("sb-radzen-theme");
    if (link) {
      link.href = link.href.replace(/material(-dark)?\.css/, theme === "dark" ? "material-dark.css" : "material.css");
    }
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
