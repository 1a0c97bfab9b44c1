// Small helpers shared by the modules.

export const noop = () => {};

/** The time in ms. */
export const now = () => Date.now();

/** `fn` with every exception swallowed (and its result dropped): the page must never see one. */
export const safe =
  (fn) =>
  (...args) => {
    try {
      fn(...args);
    } catch (_) {
      // A tracker failure must never become a page failure.
    }
  };

/** Add an event listener (to window unless `target` is given) that cannot throw. */
export const on = (type, fn, target = window) => target.addEventListener(type, safe(fn));

/**
 * A random id for a page view or a tab session.
 * Math.random, not the Web Crypto API: the ids need to be distinct, not secret, and this is
 * smaller and works everywhere.
 */
export const newId = () => Math.random().toString(36).slice(2);
