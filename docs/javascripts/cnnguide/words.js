// cnnguide/words.js: what the figures say, in each edition's language.
//
// The site has an English edition and a Chinese one (pages with <html lang="zh">);
// the explorers and the live network build their text from these tables, and
// wordsFor (dom.js) picks the page's. Kept apart from the figures' code so that
// a translator reads one file and the figures stay short.

const MINUS = "\u2212";
const TIMES = "\u00d7";

// What the explorer says, in each edition's language (wordsFor in dom.js picks the
// table). The sentences are functions of their numbers, because the two
// languages put them in different places. Formulas, numbers and PyTorch's own
// names (torch.nn.Conv2d, kernel_size, max(...), mean(...)) stay as they are in
// both; the English is what the browser tests read, word for word.
export const EXPLORER_WORDS = {
  en: {
    inputSize: "Input size n",
    kernelSize: "Kernel size k",
    windowSize: "Window size k",
    padding: "Padding p",
    stride: "Stride s",
    dilation: "Dilation d",
    previous: "\u25c0 Previous",
    play: "\u25b6 Play",
    pause: "\u275a\u275a Pause",
    next: "Next \u25b6",
    hint: "or hover an output cell; arrow keys step",
    legendPad: " padding ",
    legendTap: " current window ",
    legendUnused: " used by no window",
    title: { convolution: "Convolution explorer", pooling: "Pooling explorer" },
    modeLegend: "Pooling",
    mode: { max: "max", avg: "average" },
    refusal: (message) => `PyTorch refuses these settings, and so does this explorer: ${message}.`,
    sizeRefused: (layer, formula) => `Output size (torch.nn.${layer}): ${formula}: the window does not fit.`,
    size: (layer, worked, out) => `Output size (torch.nn.${layer}, rounded down): ${worked} = ${out}, ` +
      `so the output is ${out} \u00d7 ${out}.`,
    inputTitle: (n, p, N) => `input ${n} \u00d7 ${n}` + (p ? `, padded by ${p} to ${N} \u00d7 ${N}` : ""),
    kernelTitle: (k, d) => `kernel ${k} \u00d7 ${k}` + (d > 1 ? `, dilation ${d}: taps ${d} apart` : ""),
    outputName: { output: "output", max: "max pooling", avg: "average pooling" },
    outputTitle: (what, H, W, stride) => `${what} ${H} \u00d7 ${W}, stride ${stride}`,
    allUsed: (n) => `Every cell of the ${n} \u00d7 ${n} input is used by at least one window.`,
    dropped: (inner, stride, dropped) => {
      const plural = dropped > 1 ? "s" : "";
      return `n + 2p ${MINUS} d(k ${MINUS} 1) ${MINUS} 1 = ${inner} is not a multiple of the stride ${stride}, ` +
        `so rounding down leaves out the last ${dropped} row${plural} and column${plural} of the padded input`;
    },
    gaps: (stride, d) => `some cells fall between the taps (stride ${stride}, dilation ${d})`,
    unused: (count, total, reasons) => `${count} of the ${total} input cells (hatched) are used by no window: ` +
      `${reasons.join("; ")}. PyTorch computes the output without them.`,
    where: (r0, r1, c0, c1) => `rows ${r0}\u2013${r1}, columns ${c0}\u2013${c1} of the padded input`,
    cell: (i, j, where, sum, value) => `Output[${i}, ${j}] (window: ${where}) = ${sum} = ${value}`,
    outputLabel: (H, W, i, j, value) => `output ${H} \u00d7 ${W}; current cell row ${i}, column ${j}, value ${value}`,
  },
  zh: {
    inputSize: "输入大小 n",
    kernelSize: "卷积核大小 k",
    windowSize: "窗口大小 k",
    padding: "填充 p",
    stride: "步幅 s",
    dilation: "膨胀率 d",
    previous: "\u25c0 上一步",
    play: "\u25b6 播放",
    pause: "\u275a\u275a 暂停",
    next: "下一步 \u25b6",
    hint: "也可以把鼠标移到输出单元格上，或用方向键逐格移动",
    legendPad: " 填充 ",
    legendTap: " 当前窗口 ",
    legendUnused: " 没有被任何窗口用到",
    title: { convolution: "卷积交互演示", pooling: "池化交互演示" },
    modeLegend: "池化方式",
    mode: { max: "最大池化", avg: "平均池化" },
    // The message is the library's own (core.js), the same words cnnguide.ops raises in Python.
    refusal: (message) => `PyTorch 不接受这组设置，这个演示也不接受。错误信息：${message}`,
    sizeRefused: (layer, formula) => `输出大小（torch.nn.${layer}）：${formula}：窗口比填充后的输入还大，放不下。`,
    size: (layer, worked, out) => `输出大小（torch.nn.${layer}，向下取整）：${worked} = ${out}，` +
      `所以输出为 ${out} \u00d7 ${out}。`,
    inputTitle: (n, p, N) => `输入 ${n} \u00d7 ${n}` + (p ? `，四周填充 ${p} 后为 ${N} \u00d7 ${N}` : ""),
    kernelTitle: (k, d) => `卷积核 ${k} \u00d7 ${k}` + (d > 1 ? `，膨胀率 ${d}：各元素在输入上相隔 ${d} 格` : ""),
    outputName: { output: "输出", max: "最大池化", avg: "平均池化" },
    outputTitle: (what, H, W, stride) => `${what} ${H} \u00d7 ${W}，步幅 ${stride}`,
    allUsed: (n) => `${n} \u00d7 ${n} 输入中的每个单元格都至少被一个窗口用到。`,
    dropped: (inner, stride, dropped) => `n + 2p ${MINUS} d(k ${MINUS} 1) ${MINUS} 1 = ${inner} 不是步幅 ${stride} ` +
      `的倍数，向下取整会舍去填充后输入的最后 ${dropped} 行和最后 ${dropped} 列`,
    gaps: (stride, d) => `有些单元格落在窗口的取值位置之间（步幅 ${stride}，膨胀率 ${d}）`,
    unused: (count, total, reasons) => `输入的 ${total} 个单元格中有 ${count} 个（画斜线的）没有被任何窗口用到：` +
      `${reasons.join("；")}。PyTorch 计算输出时不会用到它们。`,
    where: (r0, r1, c0, c1) => `填充后输入的第 ${r0}\u2013${r1} 行、第 ${c0}\u2013${c1} 列`,
    cell: (i, j, where, sum, value) => `输出[${i}, ${j}]（窗口：${where}）= ${sum} = ${value}`,
    outputLabel: (H, W, i, j, value) => `输出 ${H} \u00d7 ${W}；当前单元格：第 ${i} 行，第 ${j} 列，值为 ${value}`,
  },
};

// What the live network says, in each edition's language (dom.js wordsFor picks
// the table). Sentences are functions of their numbers; layer types
// (Conv2d, Linear ...), shapes and numbers are the same in both, and the English
// is what the browser tests read, word for word.
export const NETWORK_WORDS = {
  en: {
    canvas: (H, W) => `Drawing area of ${H} ${TIMES} ${W} pixels: draw with the mouse, a pen or a finger; ` +
      "with the keyboard, the arrow keys move the brush, Space paints, Shift and an arrow paints a line",
    clear: "Clear",
    brush: "Brush",
    draw: "draw",
    erase: "erase",
    size: "size ",
    image: (k) => `image ${k}`,
    testImage: (k, label) => `Test image ${k}: ${label}`,
    testImages: "Test images",
    startFrom: "Or start from a test image:",
    classHead: "class",
    probabilityHead: "probability",
    logitHead: "logit",
    layersNote: "Every layer's output for the image above. Each row of maps shares " +
      "one colour scale (viridis: dark violet lowest, yellow highest), printed with it.",
    title: "Live network",
    className: (i) => `class ${i}`,
    // Fashion-MNIST's class names as the manifest gives them are already English.
    classNames: {},
    padding: (v) => `padding ${v}`,
    stride: (v) => `stride ${v}`,
    dilation: (v) => `dilation ${v}`,
    convolution: (kernel, extra) => `Conv2d ${kernel}` + (extra.length ? ` (${extra.join(", ")})` : ""),
    pooling: (type, kernel, stride) => `${type} ${kernel}, stride ${stride}`,
    values: (shape, low, high) => `${shape}, values ${low} to ${high}`,
    channel: (c) => `channel ${c}`,
    guess: (name, percent) => `${name} (${percent} %)`,
    prediction: (guess) => `Prediction: ${guess}`,
    blank: (guess) => `Prediction for a blank image: ${guess}. The network must pick one of its ten classes even for ` +
      "an image of nothing; its confidence here says nothing about the image.",
    drawing: "Input: your drawing.",
    empty: "Input: empty. Draw something above.",
    truth: (name) => ` (true class: ${name})`,
    sample: (k, truth, edited) => `Input: test image ${k}${truth}${edited ? ", with your strokes" : ""}.`,
  },
  zh: {
    canvas: (H, W) => `${H} ${TIMES} ${W} 像素的绘图区：可以用鼠标、触控笔或手指绘制；` +
      "用键盘时，方向键移动画笔，空格键落笔，按住 Shift 再按方向键画一条直线",
    clear: "清除",
    brush: "画笔",
    draw: "绘制",
    erase: "擦除",
    size: "粗细 ",
    image: (k) => `图像 ${k}`,
    testImage: (k, label) => `测试图像 ${k}：${label}`,
    testImages: "测试图像",
    startFrom: "或者从一张测试图像开始：",
    classHead: "类别",
    probabilityHead: "概率",
    logitHead: "logit",
    layersNote: "上面这张图像在每一层的输出。每一行特征图共用一个色标" +
      "（viridis：深紫色最低，黄色最高），其取值范围标在该行的标题里。",
    title: "实时运行的网络",
    className: (i) => `类别 ${i}`,
    // Shown in place of the manifest's English names (which the API keeps), in
    // the words the Chinese chapters use.
    classNames: {
      "t-shirt": "T 恤", trouser: "裤子", pullover: "套头衫", dress: "连衣裙", coat: "外套",
      sandal: "凉鞋", shirt: "衬衫", sneaker: "运动鞋", bag: "包", "ankle boot": "短靴",
    },
    padding: (v) => `填充 ${v}`,
    stride: (v) => `步幅 ${v}`,
    dilation: (v) => `膨胀率 ${v}`,
    convolution: (kernel, extra) => `Conv2d ${kernel}` + (extra.length ? `（${extra.join("，")}）` : ""),
    pooling: (type, kernel, stride) => `${type} ${kernel}，步幅 ${stride}`,
    values: (shape, low, high) => `${shape}，取值从 ${low} 到 ${high}`,
    channel: (c) => `通道 ${c}`,
    guess: (name, percent) => `${name}（${percent} %）`,
    prediction: (guess) => `预测：${guess}`,
    blank: (guess) => `空白图像的预测：${guess}。即使图像上什么也没有，网络也必须从十个类别中选出一个；` +
      "这里的置信度并不能说明图像的任何内容。",
    drawing: "输入：你的手绘图像。",
    empty: "输入：空白。请在上方画点什么。",
    truth: (name) => `（真实类别：${name}）`,
    sample: (k, truth, edited) => `输入：测试图像 ${k}${truth}${edited ? "，并加上了你画的笔画" : ""}。`,
  },
};
