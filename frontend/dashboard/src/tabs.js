// Keyboard use of tab lists (WAI-ARIA tabs pattern): the list is one stop for Tab, and the
// arrow keys, Home and End move between its tabs (a roving tabindex).

const STEPS = { ArrowRight: 1, ArrowLeft: -1 };

/**
 * Make the `[role=tab]` elements of `list` keyboard navigable. With `activate`, moving to a
 * tab also clicks it (content that shows at once); without, Enter does (tabs that navigate).
 * Returns `sync()`, to call after the selection changed by other means.
 */
export function rovingTabs(list, { activate = false } = {}) {
  const tabs = () => [...list.querySelectorAll('[role="tab"]')];

  function focusable(target) {
    for (const tab of tabs()) tab.tabIndex = tab === target ? 0 : -1;
  }

  function sync() {
    const all = tabs();
    focusable(all.find((tab) => tab.getAttribute("aria-selected") === "true") || all[0]);
  }

  list.addEventListener("keydown", (event) => {
    const all = tabs();
    const index = all.indexOf(event.target);
    if (index < 0 || event.altKey || event.ctrlKey || event.metaKey) return;
    let next;
    if (event.key in STEPS) next = (index + STEPS[event.key] + all.length) % all.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = all.length - 1;
    else return;
    event.preventDefault();
    focusable(all[next]);
    all[next].focus();
    if (activate) all[next].click();
  });
  sync();
  return sync;
}
