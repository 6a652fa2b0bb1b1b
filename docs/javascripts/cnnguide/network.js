// cnnguide/network.js: a small network's forward pass, from exported weights.
//
// cnnguide.figures.lenet_export writes a network (LeNet, or any chain of the
// layers below) as float32 weights plus a JSON manifest listing the layers in
// order. This module runs that chain on one image and keeps every layer's
// output, which the live LeNet draws. Activations are plain JS numbers
// (float64) computed from the float32 weights, so they agree with PyTorch's
// float32 forward pass to about 1e-6.
//
// Tensors here are {shape, data}: shape [C, H, W] or [F], data a Float64Array.

/** Decode base64 text to bytes (atob is in every browser). */
export function base64Bytes(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Little-endian float32 values from bytes, whatever the machine's byte order. */
export function float32Values(bytes) {
  if (bytes.length % 4 !== 0) throw new RangeError(`float32 data must be a multiple of 4 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

const product = (shape) => shape.reduce((a, b) => a * b, 1);

function conv2d(x, layer, w, bias) {
  const [C, H, W] = x.shape;
  const [O, , kh, kw] = layer.params.weight.shape;
  const [ph, pw] = layer.padding;
  const [sh, sw] = layer.stride;
  const [dh, dw] = layer.dilation;
  const oh = Math.floor((H + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((W + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const out = new Float64Array(O * oh * ow);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let sum = bias ? bias[o] : 0;
        for (let c = 0; c < C; c++) {
          for (let a = 0; a < kh; a++) {
            const r = i * sh + a * dh - ph;
            if (r < 0 || r >= H) continue;
            const xrow = (c * H + r) * W;
            const wrow = ((o * C + c) * kh + a) * kw;
            for (let b = 0; b < kw; b++) {
              const q = j * sw + b * dw - pw;
              if (q >= 0 && q < W) sum += x.data[xrow + q] * w[wrow + b];
            }
          }
        }
        out[(o * oh + i) * ow + j] = sum;
      }
    }
  }
  return { shape: [O, oh, ow], data: out };
}

function pool2d(x, layer, mode) {
  const [C, H, W] = x.shape;
  const [kh, kw] = layer.kernel_size;
  const [ph, pw] = layer.padding;
  const [sh, sw] = layer.stride;
  const [dh, dw] = layer.dilation || [1, 1];
  const oh = Math.floor((H + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((W + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  const out = new Float64Array(C * oh * ow);
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let acc = mode === "max" ? -Infinity : 0;
        for (let a = 0; a < kh; a++) {
          for (let b = 0; b < kw; b++) {
            const r = i * sh + a * dh - ph;
            const q = j * sw + b * dw - pw;
            const inside = r >= 0 && r < H && q >= 0 && q < W;
            // Max pooling pads with -inf, average pooling with zeros that count.
            if (inside) {
              const v = x.data[(c * H + r) * W + q];
              acc = mode === "max" ? Math.max(acc, v) : acc + v;
            }
          }
        }
        out[(c * oh + i) * ow + j] = mode === "max" ? acc : acc / (kh * kw);
      }
    }
  }
  return { shape: [C, oh, ow], data: out };
}

function linear(x, layer, w, bias) {
  const [O, I] = layer.params.weight.shape;
  if (x.data.length !== I) throw new RangeError(`${layer.name}: expects ${I} inputs, got ${x.data.length}`);
  const out = new Float64Array(O);
  for (let o = 0; o < O; o++) {
    let sum = bias ? bias[o] : 0;
    for (let i = 0; i < I; i++) sum += w[o * I + i] * x.data[i];
    out[o] = sum;
  }
  return { shape: [O], data: out };
}

// Batch normalization in evaluation mode: an affine map per channel with the
// running statistics, (x - mean) / sqrt(var + eps) * weight + bias.
function batchNorm(x, layer, p) {
  const C = x.shape[0];
  const per = x.data.length / C;
  const out = new Float64Array(x.data.length);
  for (let c = 0; c < C; c++) {
    const scale = (p.weight ? p.weight[c] : 1) / Math.sqrt(p.running_var[c] + layer.eps);
    const shift = (p.bias ? p.bias[c] : 0) - p.running_mean[c] * scale;
    for (let k = c * per; k < (c + 1) * per; k++) out[k] = x.data[k] * scale + shift;
  }
  return { shape: x.shape, data: out };
}

const elementwise = (f) => (x) => ({ shape: x.shape, data: x.data.map(f) });
const ACTIVATIONS = {
  ReLU: elementwise((v) => (v > 0 ? v : 0)),
  Sigmoid: elementwise((v) => 1 / (1 + Math.exp(-v))),
  Tanh: elementwise(Math.tanh),
};

/** Softmax of an array of logits (shifted by the maximum, so exp cannot overflow). */
export function softmax(logits) {
  const m = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - m));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

/**
 * A network read from a cnnguide manifest (see cnnguide.figures.lenet_export)
 * and its float32 weights.
 */
export class Network {
  constructor(manifest, weights) {
    if (!manifest || manifest.format !== "cnnguide-network" || manifest.version !== 1) {
      throw new TypeError("not a cnnguide network manifest (format cnnguide-network, version 1)");
    }
    const values = weights instanceof Float32Array ? weights : float32Values(weights);
    if (values.length !== manifest.parameter_count) {
      throw new RangeError(`the manifest lists ${manifest.parameter_count} float32 values, the data has ${values.length}`);
    }
    this.manifest = manifest;
    this.inputShape = manifest.input_shape;
    this.classes = manifest.classes || null;
    this.layers = manifest.layers.map((layer) => {
      const params = {};
      for (const [name, { offset, shape }] of Object.entries(layer.params || {})) {
        params[name] = values.subarray(offset, offset + product(shape));
      }
      return { ...layer, values: params };
    });
  }

  /** Every layer's output for one input: [{name, type, shape, data}], the input first. */
  run(pixels) {
    const size = product(this.inputShape);
    if (!pixels || typeof pixels.length !== "number" || pixels.length !== size) {
      throw new RangeError(`expected ${size} input values (${this.inputShape.join(" x ")}), got ` +
        `${pixels && typeof pixels.length === "number" ? pixels.length : String(pixels)}`);
    }
    const data = Float64Array.from(pixels);
    data.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new TypeError(`input value ${i} must be a finite number, got ${String(pixels[i])}`);
    });
    let x = { shape: this.inputShape.slice(), data };
    const outputs = [{ name: "input", type: "Input", shape: x.shape, data: x.data }];
    for (const layer of this.layers) {
      x = this.apply(layer, x);
      outputs.push({ name: layer.name, type: layer.type, shape: x.shape, data: x.data });
    }
    return outputs;
  }

  apply(layer, x) {
    const p = layer.values;
    switch (layer.type) {
      case "Conv2d": return conv2d(x, layer, p.weight, p.bias);
      case "Linear": return linear(x, layer, p.weight, p.bias);
      case "BatchNorm2d":
      case "BatchNorm1d": return batchNorm(x, layer, p);
      case "MaxPool2d": return pool2d(x, layer, "max");
      case "AvgPool2d": return pool2d(x, layer, "avg");
      case "Flatten": return { shape: [x.data.length], data: x.data };
      default:
        if (ACTIVATIONS[layer.type]) return ACTIVATIONS[layer.type](x);
        throw new TypeError(`${layer.name}: unsupported layer type ${layer.type}`);
    }
  }

  /** The logits (the last layer's output) for one input, as a plain array. */
  forward(pixels) {
    const outputs = this.run(pixels);
    return Array.from(outputs[outputs.length - 1].data);
  }

  /** Class probabilities: the softmax of forward(pixels). */
  probabilities(pixels) {
    return softmax(this.forward(pixels));
  }
}
