// Runs a request with its controls disabled and its region marked busy (the workflow controls,
// the contact form, the notes).

/** Runs `work` with `controls` disabled and the region marked busy; focus returns to the
 * control that had it (disabling a focused control drops focus to the body). */
export async function busy(controls, region, work) {
  const focused = document.activeElement;
  for (const control of controls) control.disabled = true;
  region?.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    for (const control of controls) control.disabled = false;
    region?.removeAttribute("aria-busy");
    if (focused && focused !== document.activeElement && controls.includes(focused) && !focused.hidden) {
      if (document.activeElement === document.body || document.activeElement === null) focused.focus();
    }
  }
}
