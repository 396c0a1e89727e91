// Settings › Inboxes: the week of business hours. Each day is closed, open all day or open
// between two times; the rows are written into the form's hidden `working_hours` textarea as
// Chatwoot's `working_hours` entries, which settings-resources.js sends as JSON.

const store = document.getElementById("inbox-working-hours");
const week = document.getElementById("inbox-week");
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const pad = (n) => String(n ?? 0).padStart(2, "0");

/** Chatwoot's default week, for a new inbox: weekdays 9:00 to 17:00. */
const defaultDay = (day) =>
  day === 0 || day === 6
    ? { day_of_week: day, closed_all_day: true, open_all_day: false }
    : { day_of_week: day, closed_all_day: false, open_all_day: false, open_hour: 9, open_minutes: 0, close_hour: 17, close_minutes: 0 };

function row(entry) {
  const day = entry.day_of_week;
  const line = document.createElement("div");
  line.className = "inbox-day";
  line.dataset.day = String(day);
  const label = document.createElement("label");
  label.htmlFor = `inbox-day-${day}`;
  label.textContent = DAYS[day];
  const mode = document.createElement("select");
  mode.id = `inbox-day-${day}`;
  mode.className = "inbox-day-mode";
  for (const [value, text] of [["hours", "Open"], ["open_all_day", "Open all day"], ["closed_all_day", "Closed"]]) {
    mode.add(new Option(text, value));
  }
  mode.value = entry.closed_all_day ? "closed_all_day" : entry.open_all_day ? "open_all_day" : "hours";
  const time = (cls, hour, minutes, name) => {
    const input = document.createElement("input");
    input.type = "time";
    input.className = cls;
    input.value = `${pad(hour ?? (cls === "inbox-day-open" ? 9 : 17))}:${pad(minutes)}`;
    input.setAttribute("aria-label", `${DAYS[day]} ${name}`);
    return input;
  };
  const open = time("inbox-day-open", entry.open_hour, entry.open_minutes, "opens");
  const close = time("inbox-day-close", entry.close_hour, entry.close_minutes, "closes");
  line.append(label, mode, open, close);
  return line;
}

function render() {
  let entries = [];
  try {
    entries = store.value.trim() ? JSON.parse(store.value) : [];
  } catch {
    entries = [];
  }
  week.querySelectorAll(".inbox-day").forEach((line) => line.remove());
  for (let day = 0; day < 7; day += 1) {
    week.append(row(entries.find((e) => e.day_of_week === day) || defaultDay(day)));
  }
  sync();
}

/** The rows as Chatwoot's entries, into the hidden textarea. */
function sync() {
  const entries = [...week.querySelectorAll(".inbox-day")].map((line) => {
    const mode = line.querySelector(".inbox-day-mode").value;
    const day_of_week = Number(line.dataset.day);
    const [open, close] = [".inbox-day-open", ".inbox-day-close"].map((cls) => line.querySelector(cls));
    open.hidden = close.hidden = mode !== "hours";
    if (mode !== "hours") return { day_of_week, [mode]: true };
    const [open_hour, open_minutes] = open.value.split(":").map(Number);
    const [close_hour, close_minutes] = close.value.split(":").map(Number);
    return { day_of_week, closed_all_day: false, open_all_day: false, open_hour, open_minutes, close_hour, close_minutes };
  });
  store.value = JSON.stringify(entries);
}

store.addEventListener("change", render);
week.addEventListener("input", sync);
week.addEventListener("change", sync);
render();
