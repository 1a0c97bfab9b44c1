/*
 * Faultline tracker: placeholder.
 *
 * The real tracker (page views, time on page, custom events, exception capture) lands with
 * its own issue and will be built from frontend/tracker. Until then this file only defines
 * the public API as no-ops, so pages that already call it do not break. It sends nothing.
 */
window.analytics = window.analytics || { event() {}, captureException() {} };
