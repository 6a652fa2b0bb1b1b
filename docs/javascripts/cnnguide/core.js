// cnnguide/core.js: the arithmetic of convolution and pooling on nested arrays.
//
// Pure functions, no DOM: the explorers draw what these return, the browser
// tests compare them with PyTorch, and readers can call them from the console
// as window.cnnguide.convOutputSize, .conv2d and .pool2d (see
// docs/reference/javascript.md). The rules are PyTorch's (torch.nn.Conv2d,
// F.max_pool2d, F.avg_pool2d with ceil_mode=False): floor rounding, zero
// padding, and the same refusals, thrown as RangeError or TypeError with a
// message that names the numbers.

function checkInt(value, name, minimum) {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be an integer >= ${minimum}, got ${String(value)}`);
  }
  return value;
}

/**
 * The input an explorer shows for a size the chapter gave no values for: it
 * counts along the rows modulo 10 (cnnguide.figures.explorers.input_pattern).
 */
export function inputPattern(n) {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i * n + j) % 10));
}

/** The kernel shown for a size the chapter gave no values for: small integers, never all zero (kernel_pattern). */
export function kernelPattern(k) {
  return Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => (a * k + b + 1) % 4));
}

/** Read an int or an [h, w] pair of ints as [h, w]. */
export function asPair(value, name, minimum) {
  const pair = Array.isArray(value) ? value : [value, value];
  if (pair.length !== 2) {
    throw new RangeError(`${name} must be an integer or a pair of integers, got ${JSON.stringify(value)}`);
  }
  return [checkInt(pair[0], name, minimum), checkInt(pair[1], name, minimum)];
}

/** How many input pixels a kernel of k taps spaced d apart spans: d(k - 1) + 1. */
export function kernelSpan(k, d = 1) {
  return d * (k - 1) + 1;
}

/**
 * Output length of a convolution or pooling window along one dimension:
 * floor((n + 2p - d(k - 1) - 1) / s) + 1, torch.nn.Conv2d's formula.
 *
 * Throws a RangeError when an argument is not an integer in range, or when
 * the dilated kernel is longer than the padded input (PyTorch refuses those
 * too); the message is the one cnnguide.ops.conv_output_size raises.
 */
export function convOutputSize(n, k, p = 0, s = 1, d = 1) {
  checkInt(n, "n", 1);
  checkInt(k, "kernel_size", 1);
  checkInt(p, "padding", 0);
  checkInt(s, "stride", 1);
  checkInt(d, "dilation", 1);
  const span = kernelSpan(k, d);
  if (span > n + 2 * p) {
    throw new RangeError(
      `kernel_size ${k} with dilation ${d} spans ${span} pixels, more than the padded ` +
        `input n + 2*padding = ${n} + 2*${p} = ${n + 2 * p}`,
    );
  }
  return Math.floor((n + 2 * p - span) / s) + 1;
}

/** Check a rectangular, non-empty 2-D array of finite numbers; return [rows, cols]. */
export function matrixShape(value, name) {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0]) || value[0].length === 0) {
    throw new TypeError(`${name} must be a non-empty 2-D array (an array of rows), got ${JSON.stringify(value)}`);
  }
  const cols = value[0].length;
  value.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new TypeError(`${name} must be rectangular: row 0 has ${cols} values, row ${i} has ` +
        `${Array.isArray(row) ? row.length : "no array of"} values`);
    }
    row.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new TypeError(`${name}[${i}][${j}] must be a finite number, got ${String(v)}`);
      }
    });
  });
  return [value.length, cols];
}

function options(opts, allowed) {
  const given = opts || {};
  for (const key of Object.keys(given)) {
    if (!allowed.includes(key)) throw new TypeError(`unknown option ${key}: expected one of ${allowed.join(", ")}`);
  }
  return given;
}

/**
 * The geometry of a sliding window over an h x w input: output size, and for
 * output cell (i, j) the padded-input coordinates of every tap.
 * Throws like convOutputSize when the window does not fit.
 */
export function windowGeometry([h, w], [kh, kw], { padding = 0, stride = 1, dilation = 1 } = {}) {
  const [ph, pw] = asPair(padding, "padding", 0);
  const [sh, sw] = asPair(stride, "stride", 1);
  const [dh, dw] = asPair(dilation, "dilation", 1);
  const outH = convOutputSize(h, kh, ph, sh, dh);
  const outW = convOutputSize(w, kw, pw, sw, dw);
  return {
    padding: [ph, pw], stride: [sh, sw], dilation: [dh, dw], kernel: [kh, kw],
    input: [h, w], padded: [h + 2 * ph, w + 2 * pw], output: [outH, outW],
    /** Padded-input [row, col] of tap (a, b) of output cell (i, j). */
    tap: (i, j, a, b) => [i * sh + a * dh, j * sw + b * dw],
  };
}

/** The value of padded cell (r, c) of x: x itself inside, `fill` in the border. */
function padded(x, [ph, pw], r, c, fill) {
  const i = r - ph;
  const j = c - pw;
  return i >= 0 && i < x.length && j >= 0 && j < x[0].length ? x[i][j] : fill;
}

/**
 * Cross-correlation of a 2-D input with a 2-D kernel (what torch.nn.Conv2d
 * computes for one channel, without bias), on nested arrays.
 *
 * conv2d([[0,1,2],[3,4,5],[6,7,8]], [[0,1],[2,3]]) gives [[19,25],[37,43]].
 * Options: padding (zeros on each side), stride, dilation; each an integer or
 * an [h, w] pair. Returns a new nested array.
 */
export function conv2d(input, kernel, opts) {
  const { padding = 0, stride = 1, dilation = 1 } = options(opts, ["padding", "stride", "dilation"]);
  const shape = matrixShape(input, "input");
  const kshape = matrixShape(kernel, "kernel");
  const g = windowGeometry(shape, kshape, { padding, stride, dilation });
  const [outH, outW] = g.output;
  const out = [];
  for (let i = 0; i < outH; i++) {
    const row = [];
    for (let j = 0; j < outW; j++) {
      let sum = 0;
      for (let a = 0; a < kshape[0]; a++) {
        for (let b = 0; b < kshape[1]; b++) {
          const [r, c] = g.tap(i, j, a, b);
          sum += padded(input, g.padding, r, c, 0) * kernel[a][b];
        }
      }
      row.push(sum);
    }
    out.push(row);
  }
  return out;
}

/**
 * Max or average pooling of a 2-D input, on nested arrays, with PyTorch's
 * rules: max pooling pads with -Infinity (padding never wins), average
 * pooling pads with zeros that count towards the mean (count_include_pad).
 * Padding may be at most half the window (floor(k / 2)), as in PyTorch, and
 * average pooling has no dilation (F.avg_pool2d has none).
 *
 * Options: mode ("max" or "avg"), padding, stride (default 1, as
 * cnnguide.ops.pool2d; PyTorch defaults to the window size), dilation.
 */
export function pool2d(input, kernelSize, opts) {
  const { mode = "max", padding = 0, stride = 1, dilation = 1 } =
    options(opts, ["mode", "padding", "stride", "dilation"]);
  if (mode !== "max" && mode !== "avg") throw new RangeError(`mode must be "max" or "avg", got ${JSON.stringify(mode)}`);
  const shape = matrixShape(input, "input");
  const [kh, kw] = asPair(kernelSize, "kernel_size", 1);
  const [ph, pw] = asPair(padding, "padding", 0);
  const [dh, dw] = asPair(dilation, "dilation", 1);
  if (mode === "avg" && (dh !== 1 || dw !== 1)) {
    throw new RangeError(`average pooling has no dilation (torch.nn.functional.avg_pool2d takes none), got ${dh === dw ? dh : `[${dh}, ${dw}]`}`);
  }
  checkPoolPadding([kh, kw], [ph, pw]);
  const g = windowGeometry(shape, [kh, kw], { padding, stride, dilation });
  const [outH, outW] = g.output;
  const fill = mode === "max" ? -Infinity : 0;
  const out = [];
  for (let i = 0; i < outH; i++) {
    const row = [];
    for (let j = 0; j < outW; j++) {
      let acc = mode === "max" ? -Infinity : 0;
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) {
          const [r, c] = g.tap(i, j, a, b);
          const v = padded(input, g.padding, r, c, fill);
          acc = mode === "max" ? Math.max(acc, v) : acc + v;
        }
      }
      row.push(mode === "max" ? acc : acc / (kh * kw));
    }
    out.push(row);
  }
  return out;
}

/** PyTorch's pooling rule: padding at most half the window, floor(k / 2). Throws a RangeError. */
export function checkPoolPadding([kh, kw], [ph, pw]) {
  if (ph > Math.floor(kh / 2) || pw > Math.floor(kw / 2)) {
    const p = ph === pw ? ph : `[${ph}, ${pw}]`;
    const k = kh === kw ? kh : `[${kh}, ${kw}]`;
    throw new RangeError(`padding ${p} is more than half of kernel_size ${k}: pooling allows at most ` +
      `floor(kernel_size / 2) = ${Math.floor(Math.min(kh, kw) / 2)}, as PyTorch does`);
  }
}
