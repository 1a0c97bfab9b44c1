// Building DOM without HTML strings: everything a report carries (messages, stacks, paths,
// referrers, metadata) reaches the page as text nodes or attribute values, never as markup.

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * h("a", { class: "x", href: "#/", onclick: fn }, "text", child, null) -> <a>.
 * Keys starting with "on" become listeners; `text` sets textContent; other keys are
 * attributes (false/null/undefined leave one out, true sets it empty).
 */
export function h(tag, props, ...children) {
  return fill(document.createElement(tag), props, children);
}

/** The same for SVG elements. */
export function s(tag, props, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), props, children);
}

function fill(element, props, children) {
  for (const [key, value] of Object.entries(props || {})) {
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (key === "text") {
      element.textContent = value ?? "";
    } else if (value === true) {
      element.setAttribute(key, "");
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(key, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replace an element's children. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}
