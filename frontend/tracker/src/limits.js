// The tracker's fixed limits.
//
// They live here rather than beside their one use because this module imports nothing: esbuild
// inlines a constant only from a module without imports, and as variables in errors.js and
// transport.js these three cost 14 B of gzip, bytes the size budget needs.

/** Exception reports per page: an error storm must not become a request storm. */
export const MAX_REPORTS = 25;
/** Characters of stack sent: the whole body must fit the server's 16 KiB cap with the rest. */
export const MAX_STACK = 8e3;
/**
 * Seconds to wait after a 429 whose Retry-After cannot be read (a cross-origin response shows
 * it to scripts only when the server exposes it).
 */
export const BACKOFF_S = 60;
