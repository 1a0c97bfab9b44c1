// The tracker's settings, read once from its own <script> tag's data-* attributes, and the
// browser's privacy signals.

const script = document.currentScript || {};
const data = script.dataset || {};

/** The script's URL (undefined when inline): stack lines that show it are the tracker's own. */
export const src = script.src;
/** Collection URL without a trailing slash; by default the origin the script came from. */
export const api = (data.api || new URL(src || location).origin).replace(/\/$/, "");
/** Report unhandled errors and rejections; on unless data-auto-capture-exceptions="false". */
export const autoCapture = data.autoCaptureExceptions != "false";
/** The page routes by its fragment (`#/path`): data-hash, present or not. */
export const hashRouting = "hash" in data;
/** data-app-version: the release, sent with page loads and exception reports. */
export const version = data.appVersion;

/** True when the browser asks not to be tracked: Do Not Track or Global Privacy Control. */
export const optedOut = () =>
  /^(1|yes)$/.test(navigator.doNotTrack) ||
  window.doNotTrack == "1" ||
  navigator.globalPrivacyControl;
