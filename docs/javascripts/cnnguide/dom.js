// cnnguide/dom.js: small helpers shared by the explorers (no framework: a few
// elements built by hand are all these figures need).

const SVG = "http://www.w3.org/2000/svg";

/** An HTML element: h("button", {type: "button", class: "x"}, "text", child...). */
export function h(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element, same calling convention. */
export function s(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG, tag), attrs, children);
}

function build(node, attrs, children) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
    }
  }
  return node;
}

/**
 * A cell value as the book's figures print it (cnnguide.figures._grid.format_number):
 * integers without decimals, others with up to two, a true minus sign.
 */
export function formatNumber(value) {
  if (value === -Infinity) return "\u2212\u221e";
  if (value === Infinity) return "\u221e";
  let text;
  if (Math.abs(value - Math.round(value)) < 1e-6) text = String(Math.round(value));
  else text = value.toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
  if (text === "-0") text = "0";
  return text.replace("-", "\u2212");
}

/** A number inside a product, parenthesised when negative: 2×(−1). */
export function operand(value) {
  const text = formatNumber(value);
  return text.startsWith("\u2212") ? `(${text})` : text;
}

/**
 * The page's language, as the explorers' word tables name it: "zh" on the
 * Chinese edition (its pages say <html lang="zh">), "en" on every other page.
 */
export function pageLanguage() {
  return (document.documentElement.lang || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

/**
 * The words a figure shows, from a module's table {en: {...}, zh: {...}}, for
 * this page's language (English where the table has none). A figure calls this
 * once, when it is built, not when its module loads: the module is loaded once
 * per tab, and Material's instant navigation may then swap in the other edition.
 */
export function wordsFor(table) {
  return table[pageLanguage()] || table.en;
}

let counter = 0;
/** A page-unique id prefix, for labels and SVG patterns. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Build a live figure in `root`; hide the static figure only once it works. */
export function replaceFallback(root, make, selector) {
  try {
    const made = make();
    const fallback = root.querySelector(":scope > .cnnguide-fallback");
    if (fallback) fallback.hidden = true;
    return made;
  } catch (error) {
    root.querySelectorAll(`:scope > ${selector}`).forEach((node) => node.remove());
    throw error;
  }
}
