// cnnguide/explorer.js: the convolution and pooling explorers.
//
// cnnguide.figures.convolution_explorer / pooling_explorer put a
// <div class="cnnguide-explorer" data-cnnguide="convolution|pooling"> into the
// page, with the settings in data attributes and the executed static figure
// inside. Mounting hides that figure and builds: a slider per setting, play /
// pause / step buttons, the padded input, the kernel and the output as SVG
// grids, the output-size formula with the numbers in, and the multiply-add of
// the current output cell. Every number comes from core.js, which the browser
// tests check against PyTorch.

import { conv2d, convOutputSize, inputPattern, kernelPattern, kernelSpan, pool2d } from "./core.js";
import { formatNumber, h, operand, replaceFallback, s, uid, wordsFor } from "./dom.js";
import { EXPLORER_WORDS } from "./words.js";

const DEFAULT_LIMITS = { n: [1, 10], kernel_size: [1, 7], padding: [0, 4], stride: [1, 4], dilation: [1, 3] };
const CELL = 30; // SVG units (CSS pixels at natural size) per cell
const STEP_MS = 800;
const MINUS = "\u2212";

const readJSON = (text, fallback) => (text ? JSON.parse(text) : fallback);

export class Explorer {
  constructor(root) {
    this.root = root;
    this.words = wordsFor(EXPLORER_WORDS);
    this.kind = root.dataset.cnnguide === "pooling" ? "pooling" : "convolution";
    const settings = readJSON(root.dataset.settings, {});
    this.limits = { ...DEFAULT_LIMITS, ...readJSON(root.dataset.limits, {}) };
    this.given = { input: readJSON(root.dataset.input, null), kernel: readJSON(root.dataset.kernel, null) };
    this.state = {
      n: settings.n ?? 5,
      kernel_size: settings.kernel_size ?? (this.kind === "pooling" ? 2 : 3),
      padding: settings.padding ?? 0,
      stride: settings.stride ?? 1,
      dilation: settings.dilation ?? 1,
      mode: settings.mode ?? "max",
    };
    this.cursor = 0;
    this.timer = null;
    this.id = uid("cg-explorer");
    this.build();
    this.update();
  }

  get pooling() {
    return this.kind === "pooling";
  }

  // ---- the controls -------------------------------------------------------

  build() {
    const w = this.words;
    const names = {
      n: w.inputSize,
      kernel_size: this.pooling ? w.windowSize : w.kernelSize,
      padding: w.padding,
      stride: w.stride,
      dilation: w.dilation,
    };
    this.inputs = {};
    const sliders = Object.entries(names).map(([key, label]) => this.slider(key, label));
    const controls = h("div", { class: "cg-controls" }, sliders);
    if (this.pooling) controls.append(this.modeChoice());

    this.prevButton = h("button", { type: "button", class: "cg-button", onclick: () => this.step(-1) }, w.previous);
    this.playButton = h("button", { type: "button", class: "cg-button cg-play", onclick: () => this.toggle() }, w.play);
    this.nextButton = h("button", { type: "button", class: "cg-button", onclick: () => this.step(1) }, w.next);
    const toolbar = h("div", { class: "cg-toolbar" }, this.prevButton, this.playButton, this.nextButton,
      h("span", { class: "cg-hint" }, w.hint));

    this.sizeText = h("p", { class: "cg-size" });
    this.refusal = h("p", { class: "cg-refusal", role: "alert", hidden: true });
    this.grids = h("div", { class: "cg-grids" });
    this.cellText = h("p", { class: "cg-cell-text", "aria-live": "polite" });
    this.note = h("p", { class: "cg-note" });
    const legend = h("p", { class: "cg-legend", "aria-hidden": "true" },
      h("span", { class: "cg-swatch cg-swatch-pad" }), w.legendPad,
      h("span", { class: "cg-swatch cg-swatch-tap" }), w.legendTap,
      h("span", { class: "cg-swatch cg-swatch-unused" }), w.legendUnused);

    const title = w.title[this.kind];
    this.ui = h("div", { class: "cg-explorer", role: "group", "aria-label": title, onkeydown: (e) => this.key(e) },
      controls, toolbar, this.sizeText, this.refusal, this.grids, this.cellText, this.note, legend);
    this.root.append(this.ui);
  }

  slider(key, label) {
    const id = `${this.id}-${key}`;
    const [min, max] = this.limits[key];
    const input = h("input", { type: "range", id, min, max, step: 1, value: this.state[key], name: key });
    const output = h("output", { for: id }, String(this.state[key]));
    input.addEventListener("input", () => {
      this.state[key] = Number(input.value);
      output.textContent = input.value;
      this.cursor = 0;
      this.update();
    });
    this.inputs[key] = input;
    return h("div", { class: "cg-control" }, h("label", { for: id }, label), input, output);
  }

  modeChoice() {
    const name = `${this.id}-mode`;
    const option = (value, label) => {
      const radio = h("input", { type: "radio", name, value, checked: this.state.mode === value });
      radio.addEventListener("change", () => {
        if (!radio.checked) return;
        this.state.mode = value;
        this.update();
      });
      this.inputs[`mode-${value}`] = radio;
      return h("label", { class: "cg-radio" }, radio, ` ${label}`);
    };
    const { modeLegend, mode } = this.words;
    return h("fieldset", { class: "cg-control cg-mode" }, h("legend", {}, modeLegend),
      option("max", mode.max), option("avg", mode.avg));
  }

  // ---- computing ----------------------------------------------------------

  values() {
    const { n, kernel_size: k } = this.state;
    const input = this.given.input && this.given.input.length === n ? this.given.input : inputPattern(n);
    if (this.pooling) return { input, kernel: null };
    const kernel = this.given.kernel && this.given.kernel.length === k ? this.given.kernel : kernelPattern(k);
    return { input, kernel };
  }

  compute() {
    const { n, kernel_size: k, padding: p, stride, dilation: d, mode } = this.state;
    const { input, kernel } = this.values();
    const options = { padding: p, stride, dilation: d };
    try {
      const output = this.pooling ? pool2d(input, k, { ...options, mode }) : conv2d(input, kernel, options);
      return { input, kernel, output, error: null };
    } catch (error) {
      return { input, kernel, output: null, error };
    }
  }

  update() {
    this.stop();
    this.result = this.compute();
    const { output, error } = this.result;
    this.size = output ? [output.length, output[0].length] : null;
    this.cursor = Math.min(this.cursor, this.size ? this.size[0] * this.size[1] - 1 : 0);
    this.sizeText.textContent = this.sizeFormula();
    this.refusal.hidden = !error;
    this.refusal.textContent = error ? this.words.refusal(error.message) : "";
    for (const button of [this.prevButton, this.playButton, this.nextButton]) button.disabled = !!error;
    this.draw();
    this.highlight();
  }

  sizeFormula() {
    const { n, kernel_size: k, padding: p, stride, dilation: d, mode } = this.state;
    const layer = this.pooling ? (mode === "max" ? "MaxPool2d" : "AvgPool2d") : "Conv2d";
    const numbers = `\u230a(${n} + 2\u00b7${p} ${MINUS} ${d}\u00b7(${k} ${MINUS} 1) ${MINUS} 1) / ${stride}\u230b + 1`;
    const general = `\u230a(n + 2p ${MINUS} d(k ${MINUS} 1) ${MINUS} 1) / s\u230b + 1`;
    let out;
    try {
      out = convOutputSize(n, k, p, stride, d);
    } catch {
      return this.words.sizeRefused(layer, `${general} = ${numbers}`);
    }
    const inner = n + 2 * p - kernelSpan(k, d);
    return this.words.size(layer, `${general} = ${numbers} = \u230a${inner} / ${stride}\u230b + 1`, out);
  }

  // ---- drawing ------------------------------------------------------------

  paddedValue(r, c) {
    const { n, padding: p, mode } = this.state;
    const i = r - p;
    const j = c - p;
    if (i >= 0 && i < n && j >= 0 && j < n) return { value: this.result.input[i][j], pad: false };
    // Max pooling pads with -infinity (padding never wins), the others with zeros.
    return { value: this.pooling && mode === "max" ? -Infinity : 0, pad: true };
  }

  grid(title, rows, cols, cell, extra = []) {
    const svg = s("svg", {
      class: "cg-grid-svg", width: cols * CELL + 2, height: rows * CELL + 2,
      viewBox: `-1 -1 ${cols * CELL + 2} ${rows * CELL + 2}`, role: "img", "aria-label": title,
    });
    const cells = [];
    for (let r = 0; r < rows; r++) {
      const row = [];
      for (let c = 0; c < cols; c++) {
        const { text, classes } = cell(r, c);
        const g = s("g", { class: ["cg-cell", ...classes].join(" "), transform: `translate(${c * CELL} ${r * CELL})` },
          s("rect", { width: CELL, height: CELL }),
          s("text", { x: CELL / 2, y: CELL / 2, class: text.length > 3 ? "cg-small" : null }, text));
        svg.append(g);
        row.push(g);
      }
      cells.push(row);
    }
    svg.append(...extra);
    const box = h("figure", { class: "cg-grid" }, h("figcaption", {}, title), svg);
    return { box, svg, cells };
  }

  draw() {
    const { n, kernel_size: k, padding: p, stride, dilation: d } = this.state;
    const { kernel, output } = this.result;
    const N = n + 2 * p;
    const used = this.usedCells();
    const hatch = `${this.id}-hatch`;
    const defs = s("defs", {}, s("pattern", { id: hatch, width: 6, height: 6, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)" }, s("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "cg-hatch-line" })));
    this.windowBox = s("rect", { class: "cg-window", visibility: "hidden" });
    const w = this.words;
    const input = this.grid(w.inputTitle(n, p, N), N, N,
      (r, c) => {
        const { value, pad } = this.paddedValue(r, c);
        const classes = pad ? ["cg-pad"] : [];
        if (used && !pad && !used[r][c]) classes.push("cg-unused");
        return { text: formatNumber(value), classes };
      }, [defs, this.windowBox]);
    // Hatching on top of the cells no window uses.
    input.cells.forEach((row) => row.forEach((g) => {
      // The pattern goes in the style attribute: the stylesheet's ".cg-cell rect { fill }" beats a fill attribute.
      if (g.classList.contains("cg-unused")) g.insertBefore(s("rect", { width: CELL, height: CELL, style: `fill: url(#${hatch})`, class: "cg-hatch" }), g.lastChild);
    }));
    this.inputGrid = input;
    const parts = [input.box];
    if (!this.pooling) {
      this.kernelGrid = this.grid(w.kernelTitle(k, d), k, k, (a, b) => ({ text: formatNumber(kernel[a][b]), classes: ["cg-kernel"] }));
      parts.push(h("span", { class: "cg-operator cg-star", "aria-hidden": "true" }, "\u22c6"), this.kernelGrid.box);
    }
    if (output) {
      const [H, W] = this.size;
      const what = w.outputName[this.pooling ? (this.state.mode === "max" ? "max" : "avg") : "output"];
      this.outputGrid = this.grid(w.outputTitle(what, H, W, stride), H, W,
        (i, j) => ({ text: formatNumber(output[i][j]), classes: ["cg-out"] }));
      const svg = this.outputGrid.svg;
      svg.setAttribute("tabindex", "0");
      svg.classList.add("cg-output");
      this.outputGrid.cells.forEach((row, i) => row.forEach((g, j) => {
        g.addEventListener("mouseenter", () => this.moveTo(i * W + j));
      }));
      parts.push(h("span", { class: "cg-operator", "aria-hidden": "true" }, this.pooling ? "\u2192" : "="), this.outputGrid.box);
    } else {
      this.outputGrid = null;
    }
    this.grids.replaceChildren(...parts);
    this.note.textContent = this.unusedNote(used);
  }

  /** used[r][c]: whether padded-input cell (r, c) is a tap of some window (null when nothing fits). */
  usedCells() {
    if (!this.size) return null;
    const { n, kernel_size: k, padding: p, stride, dilation: d } = this.state;
    const N = n + 2 * p;
    const used = Array.from({ length: N }, () => new Array(N).fill(false));
    const taps = [];
    for (let i = 0; i < this.size[0]; i++) for (let a = 0; a < k; a++) taps.push(i * stride + a * d);
    const rows = new Set(taps);
    for (const r of rows) for (const c of rows) used[r][c] = true; // square: the same set down and across
    return used;
  }

  unusedNote(used) {
    if (!used) return "";
    const { n, kernel_size: k, padding: p, stride, dilation: d } = this.state;
    let count = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (!used[i + p][j + p]) count++;
    const w = this.words;
    if (count === 0) return w.allUsed(n);
    const inner = n + 2 * p - kernelSpan(k, d);
    const dropped = inner % stride;
    const reasons = [];
    if (dropped) reasons.push(w.dropped(inner, stride, dropped));
    const last = (this.size[0] - 1) * stride + kernelSpan(k, d) - 1;
    let gaps = false;
    for (let r = p; r <= Math.min(last, p + n - 1); r++) if (!used[r][r]) gaps = true;
    if (gaps) reasons.push(w.gaps(stride, d));
    return w.unused(count, n * n, reasons);
  }

  // ---- the current output cell --------------------------------------------

  highlight() {
    const input = this.inputGrid;
    input.cells.flat().forEach((g) => g.classList.remove("cg-tap"));
    if (!this.size) {
      this.windowBox.setAttribute("visibility", "hidden");
      this.cellText.textContent = "";
      return;
    }
    const { kernel_size: k, stride, dilation: d, mode } = this.state;
    const [, W] = this.size;
    const i = Math.floor(this.cursor / W);
    const j = this.cursor % W;
    const taps = [];
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        const r = i * stride + a * d;
        const c = j * stride + b * d;
        input.cells[r][c].classList.add("cg-tap");
        taps.push({ r, c, a, b, ...this.paddedValue(r, c) });
      }
    }
    const span = kernelSpan(k, d);
    Object.entries({ x: j * stride * CELL, y: i * stride * CELL, width: span * CELL, height: span * CELL })
      .forEach(([key, v]) => this.windowBox.setAttribute(key, v));
    this.windowBox.setAttribute("visibility", "visible");
    this.outputGrid.cells.forEach((row, r) => row.forEach((g, c) => {
      const index = r * W + c;
      g.classList.toggle("cg-current", index === this.cursor);
      g.classList.toggle("cg-pending", index > this.cursor);
    }));
    const value = this.result.output[i][j];
    let sum;
    if (!this.pooling) {
      sum = taps.map((t) => `${operand(t.value)}\u00d7${operand(this.result.kernel[t.a][t.b])}`).join(" + ");
    } else if (mode === "max") {
      sum = `max(${taps.map((t) => formatNumber(t.value)).join(", ")})`;
    } else {
      const total = taps.reduce((acc, t) => acc + t.value, 0);
      sum = `mean(${taps.map((t) => formatNumber(t.value)).join(", ")}) = ${formatNumber(total)} / ${k * k}`;
    }
    const w = this.words;
    const where = w.where(i * stride, i * stride + span - 1, j * stride, j * stride + span - 1);
    this.cellText.textContent = w.cell(i, j, where, sum, formatNumber(value));
    this.outputGrid.svg.setAttribute("aria-label", w.outputLabel(this.size[0], this.size[1], i, j, formatNumber(value)));
  }

  moveTo(index) {
    if (!this.size) return;
    const total = this.size[0] * this.size[1];
    this.cursor = Math.max(0, Math.min(total - 1, index));
    this.highlight();
  }

  step(delta) {
    this.stop();
    this.moveTo(this.cursor + delta);
  }

  toggle() {
    if (this.timer) {
      this.stop();
      return;
    }
    if (!this.size) return;
    if (this.cursor >= this.size[0] * this.size[1] - 1) this.moveTo(0);
    this.playButton.textContent = this.words.pause;
    this.timer = setInterval(() => {
      // Stop when the page went away (Material's instant navigation swaps the content).
      if (!this.root.isConnected || this.cursor >= this.size[0] * this.size[1] - 1) {
        this.stop();
        return;
      }
      this.moveTo(this.cursor + 1);
    }, STEP_MS);
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.playButton) this.playButton.textContent = this.words.play;
  }

  key(event) {
    const target = event.target;
    if (target instanceof HTMLInputElement || !this.size) return; // sliders and radios use the arrows themselves
    const W = this.size[1];
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: W, ArrowUp: -W };
    if (event.key in moves) this.step(moves[event.key]);
    else if (event.key === "Home") this.step(-this.cursor);
    else if (event.key === "End") this.step(this.size[0] * W);
    else if (event.key === " " && target === this.outputGrid.svg) this.toggle();
    else return;
    event.preventDefault();
  }
}

/**
 * Mount an explorer on a .cnnguide-explorer element (once), then hide the static
 * figure; if anything fails, the static figure stays and the error is thrown.
 */
export function mountExplorer(root) {
  if (!root.cnnguideExplorer) root.cnnguideExplorer = replaceFallback(root, () => new Explorer(root), ".cg-explorer");
  return root.cnnguideExplorer;
}
