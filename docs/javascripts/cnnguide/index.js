// cnnguide/index.js: the site's explorable figures and window.cnnguide.
//
// Loaded on every page as an ES module (mkdocs.yml, extra_javascript, type:
// module); everything else in this folder is imported from here and served by
// the site itself. The arithmetic (core.js) is always loaded, so the console
// API works on every page; the explorers and the live network are imported
// only by pages that have one. Figures are mounted again after each of
// Material's instant-navigation page swaps (its document$ observable, as
// docs/javascripts/mathjax-config.js does), or once where Material is absent.
// The API on window.cnnguide is documented in docs/reference/javascript.md.

import { conv2d, convOutputSize, inputPattern, kernelPattern, pool2d } from "./core.js";

// One object, so that what mount() sets is what readers and tests see.
const api = Object.assign(window.cnnguide || {}, {
  version: 1,
  convOutputSize,
  conv2d,
  pool2d,
  inputPattern,
  kernelPattern,
  explorers: [],
  networks: [],
  lenet: null,
  mount,
  ready: null,
});
window.cnnguide = api;

async function mountAll(root, selector, modulePath, exportName, what) {
  const elements = Array.from(root.querySelectorAll(selector));
  if (!elements.length) return [];
  const module = await import(modulePath);
  const mounted = [];
  for (const element of elements) {
    try {
      mounted.push(module[exportName](element));
    } catch (error) {
      console.error(`cnnguide: could not mount ${what}; the static figure stays`, error);
    }
  }
  return mounted;
}

/** Mount every explorable figure under `root`; resolves to the number mounted (also cnnguide.ready). */
function mount(root = document) {
  api.ready = (async () => {
    const [explorers, networks] = await Promise.all([
      mountAll(root, ".cnnguide-explorer[data-cnnguide]", "./explorer.js", "mountExplorer", "an explorer"),
      mountAll(root, ".cnnguide-network[data-cnnguide]", "./live-network.js", "mountNetwork", "a live network"),
    ]);
    Object.assign(api, { explorers, networks, lenet: networks[0] || null });
    return explorers.length + networks.length;
  })();
  return api.ready;
}

if (window.document$ && typeof window.document$.subscribe === "function") {
  window.document$.subscribe(() => mount());
} else if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => mount());
} else {
  mount();
}
