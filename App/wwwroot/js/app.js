// Signalbook's small global script: theme switching, shared by every page.
window.signalbook = {
  /** Applies a theme at once: swaps Radzen's stylesheet and tells open charts. */
  setTheme(theme, radzenTheme) {
    document.documentElement.dataset.theme = theme;
    const link = document.getElementById("sb-radzen-theme");
    if (link) {
      link.href = link.href.replace(/css\/[a-z-]+\.css/, `css/${radzenTheme}.css`);
    }
    document.dispatchEvent(new CustomEvent("signalbook:theme", { detail: { theme } }));
  },
  currentTheme() {
    return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
  },
};
