// Personal data and secrets are removed before anything leaves the browser; the server scrubs
// again, but what is never sent cannot leak on the way or into its logs.

// One pass, one alternative per kind, each starting at a literal or bounded, so that hostile
// text cannot make it slow:
//   1. a URL's query string and fragment (a stack frame's `:line:column` after them stays);
//   2. JSON Web Tokens;
//   3. bearer tokens and password=, passwd=, secret=, token= values (also with `:`);
//   4. emails (the top-level label starts with a letter, so `react@18.2.0` in a path stays).
const SECRETS =
  /(\/\/[^\s?#]*)[?#][^\s:'")]*|eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*|(bearer\s+|(passw(or)?d|secret|token)["']?[=:]\s*["']?)[^\s&"',;)}]+|[\w.+-]{1,64}@([\w-]+\.)+[a-z][\w-]*/gi;

/** Text (a message, a stack, a metadata value) with URL queries, emails and secrets removed. */
export const scrub = (text) =>
  ("" + text).replace(SECRETS, (_, url, key = "") => url || key + "[Filtered]");

/**
 * The page's URL as origin and `path`, keeping of its query only the three UTM tags;
 * credentials and fragment never appear.
 */
export const pageUrl = (
  path,
  utm = location.search.match(/\butm_(source|medium|campaign)=[^&]*/g),
) => location.origin + path + (utm ? "?" + utm.join("&") : "");

/**
 * Metadata as a flat string-to-string map: null and undefined values are skipped. `nameOf`
 * gives an entry's name in the map, or a falsy value to skip the entry; by default its key.
 * A name is a one-element array, as String#match returns one, and is used as a key by its
 * text: a key "" stays truthy, and a match serves as it is (3 B of gzip less than names as
 * strings with `false` to skip).
 */
export const flatten = (data, nameOf = (key) => [key]) => {
  const flat = {};
  let name;
  for (const key in data) {
    if (data[key] != null && (name = nameOf(key))) flat[name] = scrub(data[key]);
  }
  return flat;
};
