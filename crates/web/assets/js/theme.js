// The agent's theme, light or dark: chosen with the toggle in the navigation and remembered in
// this browser (localStorage); until the agent chooses, the system's preference decides. Sets
// `<html data-theme>` (app.css keys its colours on it) and `aria-pressed` on the toggle, and
// announces each change as a "switchboard:theme" event on `document`, which the dashboard-app
// bridge turns into a fresh context for every app frame.

const STORAGE_KEY = "switchboard-theme";
const THEMES = ["light", "dark"];
const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

function saved() {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return THEMES.includes(value) ? value : null;
  } catch {
    return null; // storage blocked: follow the system
  }
}

/** The agent's choice: remembered, or (storage blocked) made on this page; null: none yet. */
let chosen = saved();

/** The theme in use, resolved: "light" or "dark". */
export function currentTheme() {
  return chosen || (systemDark.matches ? "dark" : "light");
}

function apply() {
  const theme = currentTheme();
  const changed = document.documentElement.dataset.theme !== theme;
  document.documentElement.dataset.theme = theme;
  const toggle = document.getElementById("theme-toggle");
  if (toggle) {
    toggle.setAttribute("aria-pressed", String(theme === "dark"));
    toggle.dataset.theme = theme;
  }
  if (changed) document.dispatchEvent(new CustomEvent("switchboard:theme", { detail: { theme } }));
}

/** Chooses `theme` for this browser from now on. */
export function setTheme(theme) {
  if (!THEMES.includes(theme)) return;
  chosen = theme;
  try {
    window.localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // storage blocked: the choice lasts for this page only
  }
  apply();
}

apply();
systemDark.addEventListener("change", apply);
// Another tab of the workspace switched theme.
window.addEventListener("storage", (event) => {
  if (event.key !== STORAGE_KEY) return;
  chosen = saved();
  apply();
});
document.getElementById("theme-toggle")?.addEventListener("click", () => {
  setTheme(currentTheme() === "dark" ? "light" : "dark");
});
