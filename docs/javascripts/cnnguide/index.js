// cnnguide/index.js: the site's explorable figures and window.cnnguide.
//
// Loaded on every page as an ES module (mkdocs.yml, extra_javascript, type:
// module); it imports the other modules of this folder, all served by the site
// itself. It mounts every explorer and live network on the page, again after
// each of Material's instant-navigation page swaps (its document$
// observable, as docs/javascripts/mathjax-config.js does), or once the page
// has loaded where Material is absent. The API it defines on window.cnnguide
// is documented in docs/reference/javascript.md and kept stable.

import { conv2d, convOutputSize, pool2d } from "./core.js";
import { inputPattern, kernelPattern, mountExplorer } from "./explorer.js";
import { mountNetwork } from "./live-network.js";
import { Network } from "./network.js";

// One object, so that what mount() sets is what readers and tests see.
const api = Object.assign(window.cnnguide || {}, {
  version: 1,
  convOutputSize,
  conv2d,
  pool2d,
  inputPattern,
  kernelPattern,
  Network,
  explorers: [],
  networks: [],
  lenet: null,
  mount,
});
window.cnnguide = api;

/** Mount every explorable figure under `root` that is not mounted yet; returns how many are live. */
function mount(root = document) {
  api.explorers = [];
  api.networks = [];
  for (const element of root.querySelectorAll(".cnnguide-explorer[data-cnnguide]")) {
    try {
      api.explorers.push(mountExplorer(element));
    } catch (error) {
      console.error("cnnguide: could not mount an explorer; the static figure stays", error);
    }
  }
  for (const element of root.querySelectorAll(".cnnguide-network[data-cnnguide]")) {
    try {
      api.networks.push(mountNetwork(element));
    } catch (error) {
      console.error("cnnguide: could not mount a live network; the static figure stays", error);
    }
  }
  api.lenet = api.networks[0] || null;
  return api.explorers.length + api.networks.length;
}


if (window.document$ && typeof window.document$.subscribe === "function") {
  window.document$.subscribe(() => mount());
} else if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => mount());
} else {
  mount();
}
