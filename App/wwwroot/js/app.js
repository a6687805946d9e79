// Signalbook's small global script: theme switching, shared by every page.
window.signalbook = {
  /** Applies a theme at once: swaps Radzen's stylesheet (URL from the server, fingerprinted) and tells open charts. */
  setTheme(theme, stylesheetUrl) {
    document.documentElement.dataset.theme = theme;
    const link = document.getElementById("sb-radzen-theme");
    if (link && stylesheetUrl) {
      link.href = stylesheetUrl;
    }
    document.dispatchEvent(new CustomEvent("signalbook:theme", { detail: { theme } }));
  },
  currentTheme() {
    return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
  },
};
