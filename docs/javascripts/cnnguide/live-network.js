// cnnguide/live-network.js: the live LeNet.
//
// cnnguide.figures.live_lenet puts a <div class="cnnguide-network"> into the
// page holding, in a <script type="application/json">, the trained network
// (manifest + float32 weights, base64) and a few test images with the logits
// torch gave them at build time. Mounting hides the static figure and builds a
// 28 x 28 drawing canvas (mouse, pen, touch or keyboard), the test images to
// pick from, every layer's output, and the class probabilities, all computed
// here by network.js.

import { base64Bytes, float32Values, Network, softmax } from "./network.js";
import { formatNumber, h, replaceFallback, uid, wordsFor } from "./dom.js";
import { NETWORK_WORDS } from "./words.js";

// Matplotlib's viridis at ten points, the colour map of the book's feature-map figures.
const VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]];
const BRUSH_RADIUS = [0.8, 1.3, 1.9, 2.6]; // in input pixels, by brush size 1..4
const STAGE_ENDS = new Set(["ReLU", "Sigmoid", "Tanh", "MaxPool2d", "AvgPool2d"]);
const DRAW_SCALE = 8; // CSS pixels per input pixel on the drawing canvas
const MAP_SIZE = 56; // CSS pixels a feature map is drawn at, about
const TIMES = "\u00d7";

function viridis(t) {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  return VIRIDIS[i].map((v, c) => Math.round(v + f * (VIRIDIS[i + 1][c] - v)));
}

/** The test images of the payload as arrays of values in [0, 1]. */
function decodeSamples(samples, size) {
  if (!samples) return { images: [], labels: null, logits: null };
  const bytes = base64Bytes(samples.data);
  const values = samples.dtype === "uint8" ? Float64Array.from(bytes, (v) => v / 255) : Float64Array.from(float32Values(bytes));
  const images = [];
  for (let k = 0; k < samples.shape[0]; k++) images.push(values.slice(k * size, (k + 1) * size));
  return { images, labels: samples.labels || null, logits: samples.logits || null };
}

/** A layer as its figure's caption names it: "Conv2d 5×5 (padding 2)", in the words of `w` (from NETWORK_WORDS). */
function describe(layer, w) {
  const pair = (p) => (p[0] === p[1] ? `${p[0]}` : `(${p[0]}, ${p[1]})`);
  switch (layer.type) {
    case "Conv2d": {
      const [kh, kw] = layer.kernel_size;
      const extra = [layer.padding[0] || layer.padding[1] ? w.padding(pair(layer.padding)) : "",
        layer.stride[0] > 1 || layer.stride[1] > 1 ? w.stride(pair(layer.stride)) : "",
        layer.dilation[0] > 1 || layer.dilation[1] > 1 ? w.dilation(pair(layer.dilation)) : ""].filter(Boolean);
      return w.convolution(`${kh}${TIMES}${kw}`, extra);
    }
    case "MaxPool2d":
    case "AvgPool2d":
      return w.pooling(layer.type, `${layer.kernel_size[0]}${TIMES}${layer.kernel_size[1]}`, pair(layer.stride));
    case "Linear":
      return `Linear ${layer.in_features} \u2192 ${layer.out_features}`;
    default:
      return layer.type;
  }
}

export class LiveNetwork {
  constructor(root) {
    this.root = root;
    this.words = wordsFor(NETWORK_WORDS);
    const payload = JSON.parse(root.querySelector("script.cnnguide-network-data").textContent);
    this.network = new Network(payload.manifest, base64Bytes(payload.weights));
    const [C, H, W] = this.network.inputShape;
    if (C !== 1) throw new RangeError(`the live network draws grey images (1 channel), this one takes ${C}`);
    this.H = H;
    this.W = W;
    this.samples = decodeSamples(payload.samples, H * W);
    const count = this.network.forward(new Float64Array(H * W)).length;
    // The class names of the API (the manifest's, the same on every page) and
    // the ones the page shows, in its language.
    this.classes = this.network.classes || Array.from({ length: count }, (_, i) => `class ${i}`);
    this.labels = this.network.classes
      ? this.classes.map((name) => (Object.hasOwn(this.words.classNames, name) ? this.words.classNames[name] : name))
      : this.classes.map((_, i) => this.words.className(i));
    this.pixels = this.samples.images.length ? this.samples.images[0].slice() : new Float64Array(H * W);
    this.source = this.samples.images.length ? 0 : null;
    this.edited = false;
    this.brush = { size: 2, erase: false };
    this.cursor = [Math.floor(H / 2), Math.floor(W / 2)];
    this.id = uid("cg-network");
    this.stages = this.groupStages();
    this.build();
    this.render();
  }

  /** Layers grouped into what is drawn: each group ends at an activation or a pooling layer. */
  groupStages() {
    const layers = this.network.layers;
    const stages = [];
    let current = [];
    layers.forEach((layer, index) => {
      current.push(index);
      if (STAGE_ENDS.has(layer.type) || index === layers.length - 1) {
        stages.push(current);
        current = [];
      }
    });
    return stages;
  }

  // ---- the page -----------------------------------------------------------

  build() {
    const { H, W, words: w } = this;

    this.canvas = h("canvas", {
      class: "cg-draw", width: W, height: H, tabindex: 0, style: `width:${W * DRAW_SCALE}px;height:${H * DRAW_SCALE}px`,
      role: "img", "aria-label": w.canvas(H, W),
    });
    this.brushMark = h("div", { class: "cg-brush-mark", "aria-hidden": "true" });
    this.canvas.addEventListener("pointerdown", (e) => this.pointer(e, "down"));
    this.canvas.addEventListener("pointermove", (e) => this.pointer(e, "move"));
    for (const type of ["pointerup", "pointercancel"]) this.canvas.addEventListener(type, () => { this.last = null; });
    this.canvas.addEventListener("keydown", (e) => this.key(e));

    const radio = (label, erase) => {
      const input = h("input", { type: "radio", name: `${this.id}-tool`, checked: this.brush.erase === erase });
      input.addEventListener("change", () => { if (input.checked) this.brush.erase = erase; });
      return h("label", { class: "cg-radio" }, input, ` ${label}`);
    };
    const sizeId = `${this.id}-brush`;
    const size = h("input", { type: "range", id: sizeId, min: 1, max: BRUSH_RADIUS.length, step: 1, value: this.brush.size });
    size.addEventListener("input", () => { this.brush.size = Number(size.value); this.placeMark(); });
    const tools = h("div", { class: "cg-toolbar" },
      h("button", { type: "button", class: "cg-button", onclick: () => this.setPixels(new Float64Array(H * W), null) }, w.clear),
      h("fieldset", { class: "cg-tools" }, h("legend", {}, w.brush), radio(w.draw, false), radio(w.erase, true)),
      h("label", { for: sizeId }, w.size), size);

    this.sampleButtons = this.samples.images.map((image, k) => {
      const label = this.samples.labels ? this.labels[this.samples.labels[k]] : w.image(k + 1);
      const thumb = h("canvas", { width: W, height: H, class: "cg-thumb", "aria-hidden": "true" });
      this.paintImage(thumb, image);
      return h("button", {
        type: "button", class: "cg-sample", "aria-label": w.testImage(k + 1, label),
        onclick: () => this.setPixels(image, k),
      }, thumb, h("span", {}, label));
    });
    const samples = this.sampleButtons.length
      ? h("div", { class: "cg-samples", role: "group", "aria-label": w.testImages },
        h("p", {}, w.startFrom), ...this.sampleButtons)
      : null;

    this.sourceText = h("p", { class: "cg-source" });
    this.prediction = h("p", { class: "cg-prediction", "aria-live": "polite" });
    this.probabilities = h("table", { class: "cg-probs" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, w.classHead), h("th", { scope: "col" }, w.probabilityHead),
        h("th", { scope: "col" }, w.logitHead))));
    const body = h("tbody");
    this.probabilities.append(body);
    this.probRows = this.labels.map((name) => {
      const bar = h("span", { class: "cg-bar" });
      const percent = h("span", { class: "cg-percent" });
      const logit = h("td", { class: "cg-logit" });
      const row = h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, h("span", { class: "cg-bar-track" }, bar), percent), logit);
      body.append(row);
      return { row, bar, percent, logit };
    });

    this.layerViews = this.stages.map((stage) => this.stageView(stage));
    const layers = h("div", { class: "cg-layers" },
      h("p", { class: "cg-layers-note" }, w.layersNote),
      ...this.layerViews.map((v) => v.box));

    const drawing = h("div", { class: "cg-drawing" }, h("div", { class: "cg-canvas-wrap" }, this.canvas, this.brushMark), tools);
    const top = h("div", { class: "cg-net-top" },
      h("div", {}, drawing, this.sourceText),
      h("div", { class: "cg-net-result" }, this.prediction, this.probabilities));
    this.ui = h("div", { class: "cg-network", role: "group", "aria-label": w.title }, top, samples, layers);
    this.root.append(this.ui);
    this.placeMark();
  }

  stageView(stage) {
    const layers = stage.map((i) => this.network.layers[i]);
    const first = layers[0].name;
    const last = layers[layers.length - 1].name;
    const title = `${first === last ? first : `${first}\u2013${last.split(".").pop()}`}: ` +
      layers.map((layer) => describe(layer, this.words)).join(" \u2192 ");
    const caption = h("span", { class: "cg-layer-shape" });
    const maps = h("div", { class: "cg-maps" });
    const box = h("figure", { class: "cg-layer" }, h("figcaption", {}, h("strong", {}, title), " ", caption), maps);
    return { box, maps, caption, index: stage[stage.length - 1] + 1, canvases: null };
  }

  // ---- drawing ------------------------------------------------------------

  pointer(event, phase) {
    if (phase === "down") {
      this.canvas.setPointerCapture?.(event.pointerId);
      this.last = null;
    } else if (event.buttons === 0) {
      return;
    }
    event.preventDefault();
    const box = this.canvas.getBoundingClientRect();
    const point = [(event.clientY - box.top) / box.height * this.H, (event.clientX - box.left) / box.width * this.W];
    this.strokeTo(point);
  }

  /** Paint along a straight line from the last point to this one, then recompute. */
  strokeTo(point) {
    const from = this.last || point;
    const length = Math.hypot(point[0] - from[0], point[1] - from[1]);
    const steps = Math.max(1, Math.ceil(length / 0.25));
    for (let t = 0; t <= steps; t++) {
      this.dab(from[0] + (point[0] - from[0]) * t / steps, from[1] + (point[1] - from[1]) * t / steps);
    }
    this.last = point;
    this.edited = true;
    this.schedule();
  }

  /** One round, anti-aliased brush mark centred on (y, x), in input pixels. */
  dab(y, x) {
    const r = BRUSH_RADIUS[this.brush.size - 1];
    for (let i = Math.max(0, Math.floor(y - r - 1)); i <= Math.min(this.H - 1, Math.ceil(y + r + 1)); i++) {
      for (let j = Math.max(0, Math.floor(x - r - 1)); j <= Math.min(this.W - 1, Math.ceil(x + r + 1)); j++) {
        const ink = Math.max(0, Math.min(1, r + 0.5 - Math.hypot(i + 0.5 - y, j + 0.5 - x)));
        const k = i * this.W + j;
        this.pixels[k] = this.brush.erase ? Math.min(this.pixels[k], 1 - ink) : Math.max(this.pixels[k], ink);
      }
    }
  }

  key(event) {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const [y, x] = this.cursor;
    if (event.key in moves) {
      const [dy, dx] = moves[event.key];
      this.cursor = [Math.max(0, Math.min(this.H - 1, y + dy)), Math.max(0, Math.min(this.W - 1, x + dx))];
      if (event.shiftKey) {
        this.last = [y + 0.5, x + 0.5];
        this.strokeTo([this.cursor[0] + 0.5, this.cursor[1] + 0.5]);
      }
      this.placeMark();
    } else if (event.key === " " || event.key === "Enter") {
      this.last = null;
      this.strokeTo([y + 0.5, x + 0.5]);
    } else {
      return;
    }
    event.preventDefault();
  }

  placeMark() {
    const r = BRUSH_RADIUS[this.brush.size - 1];
    const [y, x] = this.cursor;
    Object.assign(this.brushMark.style, {
      width: `${2 * r * DRAW_SCALE}px`, height: `${2 * r * DRAW_SCALE}px`,
      left: `${(x + 0.5 - r) * DRAW_SCALE}px`, top: `${(y + 0.5 - r) * DRAW_SCALE}px`,
    });
  }

  /** Show `pixels` (H * W values in [0, 1]) as the input; `source` is the test image's index or null. */
  setPixels(pixels, source = null) {
    if (pixels.length !== this.H * this.W) throw new RangeError(`expected ${this.H * this.W} pixels, got ${pixels.length}`);
    this.pixels = Float64Array.from(pixels, (v) => Math.max(0, Math.min(1, v)));
    this.source = source;
    this.edited = false;
    this.render();
  }

  schedule() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.render();
    });
  }

  // ---- showing what the network computes ----------------------------------

  paintImage(canvas, values) {
    // Dark ink on white, as the book's image figures show Fashion-MNIST (matplotlib's gray_r).
    const context = canvas.getContext("2d");
    const image = context.createImageData(canvas.width, canvas.height);
    values.forEach((v, k) => {
      const grey = Math.round(255 * (1 - Math.max(0, Math.min(1, v))));
      image.data.set([grey, grey, grey, 255], 4 * k);
    });
    context.putImageData(image, 0, 0);
  }

  paintMap(canvas, data, offset, count, low, high) {
    const context = canvas.getContext("2d");
    const image = context.createImageData(canvas.width, canvas.height);
    for (let k = 0; k < canvas.width * canvas.height; k++) {
      const rgb = k < count ? viridis(high > low ? (data[offset + k] - low) / (high - low) : 0.5) : [0, 0, 0];
      image.data.set([...rgb, k < count ? 255 : 0], 4 * k);
    }
    context.putImageData(image, 0, 0);
  }

  render() {
    this.paintImage(this.canvas, this.pixels);
    const outputs = this.network.run(this.pixels);
    this.outputs = outputs;
    this.layerViews.forEach((view) => this.renderStage(view, outputs[view.index]));
    const logits = Array.from(outputs[outputs.length - 1].data);
    const probabilities = softmax(logits);
    let best = 0;
    probabilities.forEach((p, k) => { if (p > probabilities[best]) best = k; });
    this.probRows.forEach(({ row, bar, percent, logit }, k) => {
      bar.style.width = `${(100 * probabilities[k]).toFixed(1)}%`;
      percent.textContent = `${(100 * probabilities[k]).toFixed(1)} %`;
      logit.textContent = formatNumber(logits[k]);
      row.classList.toggle("cg-best", k === best);
    });
    const w = this.words;
    const guess = w.guess(this.labels[best], (100 * probabilities[best]).toFixed(1));
    // A classifier must name one of its classes even for an empty image; say so
    // rather than let a confident "sandal" for nothing stand on its own.
    this.prediction.textContent = this.pixels.some((v) => v !== 0) ? w.prediction(guess) : w.blank(guess);
    const sample = this.source === null ? null : this.source;
    const truth = sample !== null && this.samples.labels ? w.truth(this.labels[this.samples.labels[sample]]) : "";
    this.sourceText.textContent = sample === null
      ? (this.edited ? w.drawing : w.empty)
      : w.sample(sample + 1, truth, this.edited);
    this.sampleButtons.forEach((b, k) => b.setAttribute("aria-pressed", String(k === sample && !this.edited)));
    this.root.dispatchEvent(new CustomEvent("cnnguide:render", { detail: { logits } }));
  }

  renderStage(view, output) {
    const { shape, data } = output;
    let low = Infinity;
    let high = -Infinity;
    for (const v of data) {
      if (v < low) low = v;
      if (v > high) high = v;
    }
    if (!view.canvases) {
      // Built on the first render, once the shapes are known.
      if (shape.length === 3) {
        const [C, H, W] = shape;
        const scale = Math.max(1, Math.floor(MAP_SIZE / W));
        view.canvases = Array.from({ length: C }, (_, c) => h("canvas", {
          width: W, height: H, class: "cg-map", style: `width:${W * scale}px;height:${H * scale}px`,
          title: this.words.channel(c), "aria-hidden": "true",
        }));
      } else {
        const cols = Math.min(shape[0], 12);
        const rows = Math.ceil(shape[0] / cols);
        view.canvases = [h("canvas", { width: cols, height: rows, class: "cg-map cg-vector",
          style: `width:${cols * 10}px;height:${rows * 10}px`, "aria-hidden": "true" })];
      }
      view.maps.replaceChildren(...view.canvases);
    }
    const per = shape.length === 3 ? shape[1] * shape[2] : shape[0];
    view.canvases.forEach((canvas, c) => this.paintMap(canvas, data, c * per, per, low, high));
    view.caption.textContent = this.words.values(shape.join(` ${TIMES} `), formatNumber(low), formatNumber(high));
  }

  /** The console and test API of this network (window.cnnguide.lenet). */
  api() {
    const plain = (outputs) => outputs.map(({ name, type, shape, data }) => ({ name, type, shape, data: Array.from(data) }));
    return {
      manifest: this.network.manifest,
      classes: this.classes,
      samples: {
        images: this.samples.images.map((image) => Array.from(image)),
        labels: this.samples.labels,
        logits: this.samples.logits,
      },
      forward: (pixels) => this.network.forward(pixels),
      probabilities: (pixels) => this.network.probabilities(pixels),
      layers: (pixels) => plain(this.network.run(pixels)),
      pixels: () => Array.from(this.pixels),
      setPixels: (pixels) => this.setPixels(pixels, null),
      element: this.root,
    };
  }
}

/** Mount a live network on a .cnnguide-network element (once); returns its API. */
export function mountNetwork(root) {
  if (!root.cnnguideNetwork) {
    root.cnnguideNetwork = replaceFallback(root, () => new LiveNetwork(root).api(), ".cg-network");
  }
  return root.cnnguideNetwork;
}
