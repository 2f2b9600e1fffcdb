/* Layer calculator: output shape, parameters, MACs, receptive field and effective stride of
 * a stack of 1-D, 2-D or 3-D convolution and pooling layers, in Keras or PyTorch semantics.
 *
 * The arithmetic mirrors the Python package snippets/ (shapes.py, params.py, cost.py,
 * receptive.py): the same formulas, checks and error messages, and tools/calculator_cases.py
 * is the Python twin that the browser tests compare this file with. Numbers are BigInt, like
 * Python ints: exact, and never NaN or Infinity. Shapes are channels-last, (L, C), (H, W, C)
 * or (D, H, W, C): one code path for every rank, each spatial axis an entry of an array.
 * The whole state lives in the URL hash: #mode=keras&in=224,224,3&l=conv:f=64,k=3;maxpool:k=2
 * (with &rank=1 or &rank=3 after the mode for 1-D and 3-D; no rank is 2-D).
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- layer kinds and fields
  // One key per field; `name` is the argument name used in messages (as in snippets/).
  var FIELDS = {
    f: { name: "filters", label: "Filters", hint: "positive int" },
    k: { name: "kernel_size", label: "Kernel", hint: "positive int (k × k)" },
    s: { name: "stride", label: "Stride", hint: "positive int" },
    p: { name: "padding", label: "Padding" },
    pm: { name: "padding_mode", label: "Padding mode", hint: "zeros, reflect, replicate or circular (PyTorch)" },
    d: { name: "dilation", label: "Dilation", hint: "positive int" },
    g: { name: "groups", label: "Groups", hint: "positive int dividing C_in and filters" },
    m: { name: "depth_multiplier", label: "Depth multiplier", hint: "positive int" },
    op: { name: "output_padding", label: "Output padding", hint: "blank (none) or an int ≥ 0" },
    b: { name: "use_bias", label: "Bias" },
  };
  var CONV = { f: "64", k: "3", s: "1", p: "same", d: "1", g: "1", m: "1", op: "", pm: "zeros", b: "1" };
  var POOL = { k: "2", s: "", p: "valid" };
  // Class names with "#" for the rank (Conv1D, Conv3d ...); "1×1" is the pointwise kernel.
  // Keras has depthwise and separable layers in 1-D and 2-D only (kerasRanks).
  var KINDS = {
    conv: { label: "Convolution", keras: "Conv#D", torch: "Conv#d", fields: ["f", "k", "s", "p", "pm", "d", "g", "b"], defaults: CONV },
    depthwise: { label: "Depthwise", keras: "DepthwiseConv#D", torch: "Conv#d(groups=C)", fields: ["k", "s", "p", "pm", "d", "m", "b"], defaults: CONV, kerasRanks: [1, 2] },
    separable: { label: "Separable", keras: "SeparableConv#D", torch: "depthwise + 1×1 Conv#d", fields: ["f", "k", "s", "p", "d", "m", "b"], defaults: CONV, kerasRanks: [1, 2] },
    transposed: { label: "Transposed", keras: "Conv#DTranspose", torch: "ConvTranspose#d", fields: ["f", "k", "s", "p", "pm", "d", "op", "b"], defaults: { f: "64", k: "3", s: "2", p: "same", d: "1", op: "", pm: "zeros", b: "1" } },
    maxpool: { label: "Max pooling", keras: "MaxPooling#D", torch: "MaxPool#d", fields: ["k", "s", "p"], defaults: POOL, pool: true },
    avgpool: { label: "Average pooling", keras: "AveragePooling#D", torch: "AvgPool#d", fields: ["k", "s", "p"], defaults: POOL, pool: true },
  };
  var POINTWISE = { 1: "1", 2: "1×1", 3: "1×1×1" };
  function className(mode, kindName, rank) {
    return KINDS[kindName][mode === "keras" ? "keras" : "torch"].replace("1×1", POINTWISE[rank]).replace("#", String(rank));
  }
  // The spatial axes of each rank (snippets/shapes.py AXES), and the input fields' keys.
  var RANKS = { 1: "1-D", 2: "2-D", 3: "3-D" };
  var AXES = { 1: ["length"], 2: ["height", "width"], 3: ["depth", "height", "width"] };
  var INPUT_KEYS = { 1: ["l", "c"], 2: ["h", "w", "c"], 3: ["d", "h", "w", "c"] };
  function inputNames(rank) { return AXES[rank].concat(["channels"]); }
  var PADDING_MODES = ["zeros", "reflect", "replicate", "circular"];
  var MODES = { keras: "Keras", pytorch: "PyTorch" };
  // The same defaults in PyTorch's spelling (its pooling and transposed layers take numbers):
  // pooling 'valid' is 0; a 3×3 stride-2 transposed 'same' (2n) is padding 1 + output padding 1.
  var PYTORCH_DEFAULTS = { maxpool: { p: "0" }, avgpool: { p: "0" }, transposed: { p: "1", op: "1" } };
  var SEARCH_LIMIT = 256; // the largest padding (and output padding) a mode switch tries
  var POOL_STRIDE_HINT = "blank (= pool size) or a positive int";
  var PADDING_HINTS = { 1: "'valid', 'same', 'causal' or an int ≥ 0", 2: "'valid', 'same' or an int ≥ 0" };
  var KERNEL_HINTS = { 1: "positive int (k)", 2: "positive int (k × k)", 3: "positive int (k × k × k)" };

  // Presets: the case-study networks' first blocks and the source document's examples.
  var PRESETS = [
    ["VGG16, block 1", "mode=keras&in=224,224,3&l=conv;conv;maxpool"],
    ["wav2vec 2.0 feature encoder (1-D)", "mode=pytorch&rank=1&in=16000,1&l=conv:f=512,k=10,s=5,p=0,b=0;conv:f=512,s=2,p=0,b=0;" +
      "conv:f=512,s=2,p=0,b=0;conv:f=512,s=2,p=0,b=0;conv:f=512,s=2,p=0,b=0;conv:f=512,k=2,s=2,p=0,b=0;conv:f=512,k=2,s=2,p=0,b=0"],
    ["Small 3-D video block (16 frames of 112×112)", "mode=keras&rank=3&in=16,112,112,3&l=conv;maxpool;conv:f=128;maxpool"],
    ["ResNet-50 stem + first bottleneck", "mode=pytorch&in=224,224,3&l=conv:k=7,s=2,p=3,b=0;maxpool:k=3,s=2,p=1;conv:k=1,p=0,b=0;conv:p=1,b=0;conv:f=256,k=1,p=0,b=0"],
    ["MobileNetV1, first separable blocks", "mode=keras&in=224,224,3&l=conv:f=32,s=2,b=0;depthwise:b=0;conv:k=1,b=0;depthwise:s=2,b=0;conv:f=128,k=1,b=0;depthwise:b=0;conv:f=128,k=1,b=0"],
    ["Source: Conv(64, 3×3, stride 1, 'same')", "mode=keras&in=224,224,3&l=conv"],
    ["Source: Conv(64, 3×3, stride 1, 'valid')", "mode=keras&in=224,224,3&l=conv:p=valid"],
    ["Source: Conv(64, 3×3, stride 2, 'same')", "mode=keras&in=224,224,3&l=conv:s=2"],
    ["Source: Conv(128, 5×5, stride 1, 'same')", "mode=keras&in=224,224,3&l=conv:f=128,k=5"],
    ["Source: transposed 4×4, stride 2 on 7×7×512", "mode=keras&in=7,7,512&l=transposed:f=256,k=4"],
  ];
  var DEFAULT_HASH = PRESETS[0][1];

  // ---------------------------------------------------------------- checks (snippets/_validate.py)
  function Invalid(key, message) { this.key = key; this.message = message; }

  // Python's repr() of a string, as snippets' messages show a value: 'abc'
  function repr(text) {
    var quote = text.indexOf("'") >= 0 && text.indexOf('"') < 0 ? '"' : "'";
    return quote + text.replace(/\\/g, "\\\\") + quote;
  }
  var INT = /^[ \t\n]*[+-]?[0-9]+[ \t\n]*$/;

  // check_int: "<name> must be a positive int, got <value>" (or "an int >= 0").
  function checkInt(key, name, text, minimum) {
    var allowed = minimum === 1 ? "a positive int" : "an int >= " + minimum;
    if (!INT.test(text)) throw new Invalid(key, name + " must be " + allowed + ", got " + repr(text));
    var value = BigInt(text.trim());
    if (value < BigInt(minimum)) throw new Invalid(key, name + " must be " + allowed + ", got " + value);
    return value;
  }
  // A padding field: a word ('causal' is read in every rank, so that the shape arithmetic
  // refuses it outside 1-D with snippets' message) or an int >= 0.
  function checkPadding(text, rank) {
    var word = text.trim().toLowerCase();
    if (word === "valid" || word === "same" || word === "causal") return word;
    if (INT.test(text) && BigInt(text.trim()) >= 0n) return BigInt(text.trim());
    var shown = INT.test(text) ? String(BigInt(text.trim())) : repr(text);
    var words = rank === 1 ? "'valid', 'same', 'causal'" : "'valid', 'same'";
    throw new Invalid("p", "padding must be " + words + " or an int >= 0, got " + shown);
  }
  // Every field of a layer, each checked on its own; the first failure is the layer's error.
  // The padding mode is kept as typed: the shape arithmetic checks it.
  function parseLayer(layer, errors, rank) {
    var kind = KINDS[layer.kind], out = { bias: layer.v.b !== "0", pm: "zeros" };
    kind.fields.forEach(function (key) {
      var text = layer.v[key];
      try {
        if (key === "b") return;
        if (key === "p") out.p = checkPadding(text, rank);
        else if (key === "pm") out.pm = text;
        else if (key === "op") out.op = text.trim() === "" ? null : checkInt(key, FIELDS.op.name, text, 0);
        else if (key === "s" && kind.pool && text.trim() === "") out.s = null; // pool: = pool size
        else out[key] = checkInt(key, FIELDS[key].name, text, 1);
      } catch (error) { errors.push(error); }
    });
    if (out.s === null) out.s = out.k;
    if (out.d === undefined) out.d = 1n;
    return out;
  }

  // ---------------------------------------------------------------- arithmetic (snippets/shapes.py)
  function max(a, b) { return a > b ? a : b; }
  function fill(rank, v) { var out = []; for (var i = 0; i < rank; i++) out.push(v); return out; }
  // Python's repr() of a tuple of ints: (2,) (2, 2) (2, 2, 2)
  function tuple(values) { return "(" + values.join(", ") + (values.length === 1 ? ",)" : ")"); }
  function product(values) { return values.reduce(function (a, b) { return a * b; }, 1n); }

  // Keras' Conv and ConvTranspose layers refuse string padding with both stride > 1 and
  // dilation > 1; its DepthwiseConv and SeparableConv layers (rule "depthwise", "separable") accept it.
  function refuseStridedDilation(rank, s, d, rule) {
    if (rule === "conv" && s > 1n && d > 1n) {
      throw new Invalid("d", "stride and dilation cannot both exceed 1 with string padding " +
        "(Keras' Conv and ConvTranspose layers refuse it), got stride=" + tuple(fill(rank, s)) + ", dilation=" +
        tuple(fill(rank, d)) + "; give the padding as numbers for PyTorch semantics");
    }
  }
  // snippets' list of the paddings a rank takes, and its refusal of 'causal' outside Keras' Conv1D.
  function paddingAllowed(rank) {
    var perAxis = { 1: "a tuple (p,)", 2: "a pair (ph, pw)", 3: "a tuple (pd, ph, pw)" }[rank];
    var sides = { 1: "((before, after),)", 2: "((top, bottom), (left, right))", 3: "((front, back), (top, bottom), (left, right))" }[rank];
    return "'valid', 'same', an int >= 0, " + perAxis + " of ints >= 0 or " + sides + " of ints >= 0";
  }
  function refuseCausal(rank, where) {
    throw new Invalid("p", "padding must be " + paddingAllowed(rank) + " for " + where +
      " ('causal' exists only in 1-D convolutions, Keras' Conv1D), got 'causal'");
  }
  // Keras/TF 'same': out = ceil(n / s), total padding max((out - 1) s + k_eff - n, 0),
  // the odd pixel after (bottom/right).
  function samePadding(n, span, s) {
    var out = (n + s - 1n) / s;
    var total = max((out - 1n) * s + span - n, 0n);
    return [total / 2n, total - total / 2n];
  }
  // padding_amounts: [before, after] per spatial axis. `p` is a word, an int, or the pairs.
  function paddingAmounts(shape, k, s, p, d, rule) {
    var rank = shape.length - 1, spatial = shape.slice(0, rank), span = d * (k - 1n) + 1n;
    if (Array.isArray(p)) return p;
    if (typeof p !== "string") return fill(rank, [p, p]);
    refuseStridedDilation(rank, s, d, rule);
    if (p === "valid") return fill(rank, [0n, 0n]);
    if (p === "causal") {
      if (rank !== 1) refuseCausal(rank, "a " + rank + "-D input " + tuple(shape));
      if (rule !== "conv") refuseCausal(rank, "layer=" + repr(rule) + " (Keras' DepthwiseConv1D and SeparableConv1D refuse it)");
      return [[span - 1n, 0n]];
    }
    return spatial.map(function (n) { return samePadding(n, span, s); });
  }
  // check_padding_mode: PyTorch's modes; reflect padding smaller than the axis, circular at most it.
  function checkPaddingMode(pm, p, shape, pads) {
    if (PADDING_MODES.indexOf(pm) < 0) {
      throw new Invalid("pm", "padding_mode must be one of ('zeros', 'reflect', 'replicate', 'circular'), got " + repr(pm));
    }
    if (pm === "zeros") return;
    if (p === "causal") {
      throw new Invalid("pm", "padding_mode " + repr(pm) + " needs numeric or 'same' padding (PyTorch's); " +
        "Keras' 'causal' pads with zeros only, so use padding_mode='zeros'");
    }
    var rank = shape.length - 1;
    AXES[rank].forEach(function (axis, i) {
      var n = shape[i], most = max(pads[i][0], pads[i][1]);
      var tooFar = pm === "reflect" ? most >= n : most > n;
      if (pm !== "replicate" && tooFar) {
        throw new Invalid("p", "padding must be " + (pm === "reflect" ? "smaller than" : "at most") +
          " the input along each axis with padding_mode=" + repr(pm) + " (PyTorch refuses it), got padding " +
          tuple(pads[i]) + " on the " + axis + " of size " + n);
      }
    });
  }
  // Conv / pooling output (conv_output_shape, pool_output_shape): per axis
  // out = floor((n + before + after - k_eff) / s) + 1; a pool names its window pool_size.
  function convShape(shape, filters, k, s, p, d, rule, pm, pool) {
    var rank = shape.length - 1, span = d * (k - 1n) + 1n;
    var pads = paddingAmounts(shape, k, s, p, d, rule);
    checkPaddingMode(pm, p, shape, pads);
    var sizes = AXES[rank].map(function (axis, i) {
      var n = shape[i], padded = n + pads[i][0] + pads[i][1];
      if (padded < span) {
        throw new Invalid("k", (pool ? "pool_size" : "kernel_size") + " must fit in the padded input: along the " + axis +
          (pool ? ", pool " : ", kernel ") + k + " with dilation " + d + " spans " + span + " but the input is " + n + " + padding " + pads[i][0] +
          " + " + pads[i][1] + " = " + padded);
      }
      return (padded - span) / s + 1n;
    });
    return sizes.concat([filters]);
  }
  // Transposed: numbers (PyTorch) out = (n - 1) s - 2p + k_eff + op, op < max(s, d);
  // 'same' n s and 'valid' n s + max(k_eff - s, 0) (Keras) without op; with op (op < s):
  // (n - 1) s + k_eff - 2 floor(k_eff / 2) + op ('same'), (n - 1) s + k_eff + op ('valid').
  function transposedShape(shape, filters, k, s, p, d, op) {
    var rank = shape.length - 1, spatial = shape.slice(0, rank), span = d * (k - 1n) + 1n;
    function checkOp(limit, rule, context) {
      if (op >= limit) {
        throw new Invalid("op", "output_padding must be smaller than " + rule +
          " on each axis, got output_padding=" + op + " with " + context);
      }
    }
    if (p === "causal") refuseCausal(rank, "a transposed convolution (Keras' Conv1DTranspose refuses it)");
    var sizes;
    if (typeof p === "string") {
      refuseStridedDilation(rank, s, d, "conv");
      if (op !== null) checkOp(s, "stride", "stride=" + tuple(fill(rank, s)));
      sizes = spatial.map(function (n) {
        if (op === null) return p === "same" ? n * s : n * s + max(span - s, 0n);
        return (n - 1n) * s + span - (p === "same" ? 2n * (span / 2n) : 0n) + op;
      });
    } else {
      if (op === null) op = 0n;
      checkOp(max(s, d), "max(stride, dilation)", "stride=" + tuple(fill(rank, s)) + ", dilation=" + tuple(fill(rank, d)));
      sizes = spatial.map(function (n) { return (n - 1n) * s - 2n * p + span + op; });
    }
    AXES[rank].forEach(function (axis, i) {
      if (sizes[i] < 1n) {
        throw new Invalid("p", "padding " + (typeof p === "string" ? repr(p) : p) + " crops the " + axis +
          " to " + sizes[i] + "; padding must leave at least 1 output pixel");
      }
    });
    return sizes.concat([filters]);
  }

  // ---------------------------------------------------------------- one layer, one framework
  // What each framework refuses, with its message (snippets.frameworks.check_layer); returns
  // the padding to compute with: PyTorch's 'valid' is 0.
  function frameworkRules(mode, kindName, a, shape) {
    var kind = KINDS[kindName], rank = shape.length - 1, p = a.p, pm = a.pm, pool = kind.pool;
    var cls = className(mode, kindName, rank);
    if (mode === "keras") {
      if (kind.kerasRanks && kind.kerasRanks.indexOf(rank) < 0) {
        throw new Invalid(null, "Keras has no " + cls + " (its depthwise and separable layers are 1-D and 2-D); " +
          "PyTorch has " + className("pytorch", kindName, rank));
      }
      if (typeof p !== "string") {
        var words = rank === 1 && kindName === "conv" ? "'valid', 'same' or 'causal'" : "'valid' or 'same'";
        throw new Invalid("p", "padding must be " + words + " in Keras (explicit zeros need a ZeroPadding" + rank +
          "D layer before it), got " + p);
      }
      if (pool && p === "causal") {
        throw new Invalid("p", "padding must be 'valid' or 'same' for " + cls + " (Keras documents no 'causal' for " +
          "pools; Keras 3.15 takes the word and pools as 'valid'), got 'causal'");
      }
      if (pm !== "zeros") {
        throw new Invalid("pm", "padding_mode must be 'zeros' in Keras (its layers pad with zeros only; the other " +
          "modes are PyTorch's), got " + repr(pm));
      }
      return p;
    }
    if ((kindName === "transposed" || pool) && typeof p === "string") {
      throw new Invalid("p", "padding must be an int >= 0 for " + cls + " (it has no 'valid' or 'same'), got " + repr(p));
    }
    if (p === "causal") throw new Invalid("p", "Invalid padding string 'causal', should be one of {'same', 'valid'}");
    if (p === "same" && a.s > 1n) throw new Invalid("p", "padding='same' is not supported for strided convolutions");
    if (pool && p > a.k / 2n) {
      // snippets.frameworks.check_pool_padding
      throw new Invalid("p", "padding must be at most half the pool size on each side, the same on both (PyTorch " +
        "refuses more), got " + p + ": " + p + ", " + p + " on the " + AXES[rank][0] + " for pool size " + a.k);
    }
    if (kindName === "transposed" && pm !== "zeros") {
      if (PADDING_MODES.indexOf(pm) >= 0) throw new Invalid("pm", 'Only "zeros" padding mode is supported for ' + cls);
      throw new Invalid("pm", "padding_mode must be one of ('zeros', 'reflect', 'replicate', 'circular'), got " + repr(pm));
    }
    return p === "valid" ? 0n : p;
  }
  function snippetsRule(kindName) { return kindName === "depthwise" || kindName === "separable" ? kindName : "conv"; }

  // Along each axis, how the layer maps positions (snippets/cells.py AxisMap), for the explorer:
  // a window reads o s + u d - before of the padded input; a scatter (transposed) writes
  // i s + u d - crop, the crop before of snippets.ops.transposed_offset. Plain numbers.
  function axisMaps(kindName, a, p, shape, out, rule) {
    var rank = shape.length - 1, d = kindName.slice(-4) === "pool" ? 1n : a.d, span = d * (a.k - 1n) + 1n;
    var pads = kindName === "transposed" ? null : paddingAmounts(shape, a.k, a.s, p, d, KINDS[kindName].pool ? "conv" : rule);
    return AXES[rank].map(function (axis, i) {
      var n = shape[i], m = out[i], offset, after;
      if (pads) { offset = pads[i][0]; after = pads[i][1]; } else {
        offset = p === "valid" ? 0n : p === "same" ? max((n - 1n) * a.s + span - m, 0n) / 2n : p;
        after = max((n - 1n) * a.s + span - offset - m, 0n); // the crop after
      }
      return { kind: pads ? "window" : "scatter", n: Number(n), m: Number(m), k: Number(a.k), s: Number(a.s),
        d: Number(d), offset: Number(offset), after: Number(after) };
    });
  }

  // Returns {shape, params, macs, geometry, info, cls, maps} or throws Invalid.
  function evaluateLayer(mode, kindName, a, shape) {
    var kind = KINDS[kindName], rank = shape.length - 1, c = shape[rank], pool = kind.pool;
    var p = frameworkRules(mode, kindName, a, shape), rule = snippetsRule(kindName);
    var cls = className(mode, kindName, rank);
    var taps = a.k ** BigInt(rank), out, params, macs, info = [];
    var bias = function (n) { return a.bias ? n : 0n; };
    var outSize = function () { return product(out.slice(0, rank)); };
    if (kindName === "conv") {
      // count_conv_params: prod(k) (C_in / groups) filters + filters; groups must divide both.
      [["input_channels", c], ["filters", a.f]].forEach(function (o) {
        if (o[1] % a.g) throw new Invalid("g", "groups must divide " + o[0] + " (" + o[1] + "), got " + a.g);
      });
      params = taps * (c / a.g) * a.f + bias(a.f);
      out = convShape(shape, a.f, a.k, a.s, p, a.d, rule, a.pm);
      macs = outSize() * a.f * taps * (c / a.g); // conv_macs: prod(out) filters prod(k) C_in / groups
    } else if (kindName === "depthwise") {
      params = taps * c * a.m + bias(c * a.m); // depthwise_params: prod(k) C_in m + C_in m
      out = convShape(shape, c * a.m, a.k, a.s, p, a.d, rule, a.pm);
      macs = outSize() * c * a.m * taps; // depthwise_macs: prod(out) C_in m prod(k)
    } else if (kindName === "separable") {
      params = taps * c * a.m + c * a.m * a.f + bias(a.f); // separable_params: one bias, after the pointwise step
      out = convShape(shape, a.f, a.k, a.s, p, a.d, rule, "zeros");
      macs = outSize() * c * a.m * taps + outSize() * c * a.m * a.f; // depthwise + pointwise
      if (mode === "pytorch") {
        info.push("PyTorch has no separable layer: a depthwise Conv" + rank + "d(groups=C, bias=False) then a " +
          POINTWISE[rank] + " Conv" + rank + "d give these counts");
      }
    } else if (kindName === "transposed") {
      params = taps * c * a.f + bias(a.f); // count_conv_params(C_in, filters, k)
      out = transposedShape(shape, a.f, a.k, a.s, p, a.d, a.op);
      macs = product(shape.slice(0, rank)) * c * taps * a.f; // transposed_macs: prod(in) C_in prod(k) filters
      info.push("receptive field: the recurrence covers convolutions and pooling, not transposed convolutions");
    } else {
      out = convShape(shape, c, a.k, a.s, p, 1n, "conv", "zeros", true); // pool_output_shape: a conv's arithmetic, the pool as kernel
      params = 0n;
      macs = 0n;
      info.push((kindName === "maxpool" ? "max pooling compares" : "average pooling adds") +
        ": no multiply-accumulates, 0 MACs counted, 0 parameters");
    }
    var geometry = kindName === "transposed" ? null : { k: a.k, s: a.s, d: a.d };
    return { shape: out, params: params, macs: macs, geometry: geometry, info: info, cls: cls,
      maps: axisMaps(kindName, a, p, shape, out, rule) };
  }

  // ---------------------------------------------------------------- the whole stack
  // Receptive field (snippets/receptive.py): r_l = r_{l-1} + (k_eff_l - 1) S_{l-1}, S_l = S_{l-1} s_l.
  function evaluate(state, mode) {
    var fieldErrors = {}, rows = [], inputErrors = [], rank = state.rank, names = inputNames(rank);
    var shape = INPUT_KEYS[rank].map(function (key, i) {
      try {
        return checkInt(key, names[i], state.input[i], 1);
      } catch (error) { inputErrors.push(error); fieldErrors["cc-in-" + key] = error.message; }
    });
    var input = inputErrors.length ? null : shape;
    var field = 1n, stride = 1n, fieldFrom = 0, firstBad = inputErrors.length ? "the input shape" : null;
    var totals = { params: 0n, macs: 0n };
    state.layers.forEach(function (layer, index) {
      var n = index + 1, errors = [], row = { kind: layer.kind, input: firstBad ? null : shape };
      var args = parseLayer(layer, errors, rank);
      errors.forEach(function (e) { fieldErrors["cc-l" + n + "-" + e.key] = e.message; });
      if (firstBad) {
        row.blocked = "needs a valid output from " + firstBad;
      } else {
        try {
          if (errors.length) throw errors[0];
          var r = evaluateLayer(mode, layer.kind, args, shape);
          row.result = r;
          shape = r.shape;
          totals.params += r.params;
          totals.macs += r.macs;
          if (r.geometry && !fieldFrom) {
            field += (r.geometry.d * (r.geometry.k - 1n)) * stride; // (k_eff - 1) S
            stride *= r.geometry.s;
            row.field = [field, stride];
          } else if (!fieldFrom) {
            fieldFrom = n;
          }
          if (fieldFrom && fieldFrom !== n) row.noField = "receptive field: not tracked after layer " + fieldFrom + " (transposed)";
        } catch (error) {
          if (!(error instanceof Invalid)) throw error;
          row.error = error;
          if (error.key) fieldErrors["cc-l" + n + "-" + error.key] = error.message;
          firstBad = "layer " + n;
        }
      }
      rows.push(row);
    });
    var total = firstBad ? { blocked: "fix " + firstBad + " first" } : {
      shape: shape, params: totals.params, macs: totals.macs,
      field: fieldFrom ? null : [field, stride],
    };
    return { input: input, rows: rows, total: total, fieldErrors: fieldErrors };
  }

  // ---------------------------------------------------------------- switching framework, changing type
  // A layer's defaults; in PyTorch, spelled as PyTorch takes them (the URL keeps Keras' defaults).
  function layerDefaults(kind, mode) {
    var v = {}, torch = mode === "pytorch" && PYTORCH_DEFAULTS[kind] || {};
    KINDS[kind].fields.forEach(function (key) { v[key] = key in torch ? torch[key] : KINDS[kind].defaults[key]; });
    return v;
  }
  // Whether `mode` has no such padding for the layer: Keras takes only 'valid'/'same'; PyTorch's
  // pooling and transposed layers take only numbers, its 'same' needs stride 1 and it has no 'causal'.
  function refusesSpelling(mode, kindName, p, s) {
    if (mode === "keras") return typeof p !== "string";
    if (kindName === "transposed" || KINDS[kindName].pool) return typeof p === "string";
    return p === "causal" || (p === "same" && s > 1n);
  }
  function range(from, to) { // the texts of from, from + 1, ... below min(to, SEARCH_LIMIT + 1)
    var out = [], end = Number(to > BigInt(SEARCH_LIMIT + 1) ? BigInt(SEARCH_LIMIT + 1) : to);
    for (var i = from; i < end; i++) out.push(String(i));
    return out;
  }
  function unique(texts) { return texts.filter(function (t, i) { return texts.indexOf(t) === i; }); }
  // The (padding, output padding) texts `mode` takes for the layer, nearest first: Keras
  // 'valid' then 'same'; PyTorch numbers from 0 (up to k // 2 for pooling, up to the dilated
  // kernel's span otherwise); an output padding as given, then blank, then each number the
  // framework allows (below the stride in Keras, below max(stride, dilation) in PyTorch).
  function spellings(mode, kindName, v, a) {
    var paddings, limit, first = mode === "keras" ? 0 : 1;
    if (mode === "keras") { paddings = ["valid", "same"]; limit = a.s; }
    else {
      var top = KINDS[kindName].pool ? a.k / 2n : a.d * (a.k - 1n) + 1n;
      paddings = range(0, top + 1n);
      limit = max(a.s, a.d);
    }
    if (kindName !== "transposed") return paddings.map(function (p) { return { p: p }; });
    var ops = unique([v.op, ""].concat(range(first, limit)));
    var out = [];
    paddings.forEach(function (p) { ops.forEach(function (op) { out.push({ p: p, op: op }); }); });
    return out;
  }
  // A field's value in a note: padding words quoted, numbers as numbers, blank as blank.
  function showValue(key, text) {
    if (text.trim() === "") return "blank";
    if (key === "p") { var p = checkPadding(text, 1); return typeof p === "string" ? repr(p) : String(p); }
    return INT.test(text) ? String(BigInt(text.trim())) : repr(text);
  }
  function sameShape(a, b) { return a.length === b.length && a.every(function (v, i) { return v === b[i]; }); }
  // Layer n spelled for `target`, giving the output shape it has in `source` on `shape` (its
  // input), and the note saying what changed; unchanged (note null) when `target` takes the
  // spelling as it is or a field does not parse. Without a result in `source`, only the exact
  // equivalence 'valid' = 0 of convolutions and pooling is used.
  function convertLayer(n, layer, shape, source, target, rank) {
    var errors = [], a = parseLayer(layer, errors, rank), v = layer.v;
    var none = { layer: layer, note: null };
    if (a.p === undefined || errors.some(function (e) { return ["k", "s", "d", "op"].indexOf(e.key) >= 0; })) return none;
    if (!refusesSpelling(target, layer.kind, a.p, a.s)) return none;
    var cls = className(target, layer.kind, rank), out = null, found = null;
    if (!errors.length && shape) {
      try { out = evaluateLayer(source, layer.kind, a, shape).shape; } catch (error) { if (!(error instanceof Invalid)) throw error; }
    }
    if (!out) {
      if (layer.kind !== "transposed" && (a.p === "valid" || a.p === 0n)) found = { p: target === "pytorch" ? "0" : "valid" };
    } else {
      found = spellings(target, layer.kind, v, a).find(function (candidate) {
        var newErrors = [], b = parseLayer({ kind: layer.kind, v: Object.assign({}, v, candidate) }, newErrors, rank);
        if (newErrors.length) return false;
        try { return sameShape(evaluateLayer(target, layer.kind, b, shape).shape, out); } catch (error) {
          if (!(error instanceof Invalid)) throw error;
          return false;
        }
      }) || null;
    }
    if (!found) {
      var why = out ? "no " + MODES[target] + " padding gives " + fmtShape(out) : "no result in " + MODES[source] + " to match";
      return { layer: layer, note: "Layer " + n + " (" + cls + "): padding " + showValue("p", v.p) + " kept: " + why };
    }
    var changes = Object.keys(found).filter(function (key) { return found[key] !== v[key]; }).map(function (key) {
      return FIELDS[key].name + " " + showValue(key, v[key]) + " → " + showValue(key, found[key]);
    });
    return { layer: { kind: layer.kind, v: Object.assign({}, v, found) }, note: "Layer " + n + " (" + cls + "): " + changes.join(", ") };
  }
  // The stack after the reader switches to `target`: every layer in the nearest spelling
  // `target` takes (same output shape), and the notes listing what was converted or kept.
  function switchMode(state, target) {
    var source = state.mode, rows = evaluate(state, source).rows, notes = [];
    var layers = state.layers.map(function (layer, i) {
      var r = convertLayer(i + 1, layer, rows[i].input, source, target, state.rank);
      if (r.note) notes.push(r.note);
      return r.layer;
    });
    return { state: { mode: target, rank: state.rank, input: state.input.slice(), layers: layers, explore: state.explore }, notes: notes };
  }
  // Layer `index` becomes a `kind`: each field the new type also has keeps the value the
  // reader set (one that differs from the old type's default in the current framework's
  // spelling), the others take the new type's default; then the layer is spelled for the
  // current framework where it can be.
  function changeKind(state, index, kind) {
    var old = state.layers[index], mode = state.mode, v = layerDefaults(kind, mode), oldDefaults = layerDefaults(old.kind, mode);
    KINDS[kind].fields.forEach(function (key) {
      if (KINDS[old.kind].fields.indexOf(key) >= 0 && old.v[key] !== oldDefaults[key]) v[key] = old.v[key];
    });
    state.layers[index] = { kind: kind, v: v };
    var shape = evaluate(state, mode).rows[index].input;
    state.layers[index] = convertLayer(index + 1, state.layers[index], shape, mode === "keras" ? "pytorch" : "keras", mode, state.rank).layer;
  }
  // The stack in `rank` dimensions: the axes both ranks have (height, width) and the channels
  // keep their values, a new axis takes the size of the first one there was; the layers stay.
  function changeRank(state, rank) {
    var old = AXES[state.rank], sizes = AXES[rank].map(function (axis) {
      var at = old.indexOf(axis);
      return state.input[at >= 0 ? at : 0];
    });
    return { mode: state.mode, rank: rank, input: sizes.concat([state.input[old.length]]), layers: state.layers };
  }

  // ---------------------------------------------------------------- URL state
  // An address that cannot be read: `reason` says which part and why.
  function AddressError(reason) { this.reason = reason; }
  function decode(text, where) {
    try { return decodeURIComponent(text); } catch (error) {
      throw new AddressError(where + ": " + repr(text) + " is not valid percent-encoding");
    }
  }
  // The calculator's state is key=value parts; a hash without "=" is a heading's anchor.
  function isStateHash(hash) { return hash.indexOf("=") >= 0; }
  // #mode=keras&in=224,224,3&l=conv:f=64,k=3;maxpool  (values percent-encoded); anything
  // else (an unknown part, mode, layer type or field, bad percent-encoding) is an AddressError.
  function parseHash(hash) {
    var state = { mode: "keras", rank: 2, input: ["224", "224", "3"], layers: [] }, sizes = null;
    hash.replace(/^#/, "").split("&").forEach(function (part) {
      if (part === "") return;
      var eq = part.indexOf("="), key = part.slice(0, eq), value = part.slice(eq + 1);
      if (eq < 0) throw new AddressError(repr(part) + " is not a key=value part");
      if (key === "mode") {
        if (!MODES[value]) throw new AddressError("mode must be " + Object.keys(MODES).join(" or ") + ", got " + repr(value));
        state.mode = value;
      } else if (key === "rank") {
        if (!RANKS[value]) throw new AddressError("rank must be 1, 2 or 3, got " + repr(value));
        state.rank = Number(value);
      } else if (key === "in") {
        sizes = value.split(",");
      } else if (key === "x") {
        state.explore = decode(value, "x"); // the explorer's layer and cell: it reads them
      } else if (key === "l") {
        state.layers = value === "" ? [] : value.split(";").map(function (spec, i) {
          var colon = spec.indexOf(":"), kind = colon < 0 ? spec : spec.slice(0, colon), where = "layer " + (i + 1);
          if (!KINDS.hasOwnProperty(kind)) {
            throw new AddressError(where + ": " + repr(kind) + " is not a layer type (" + Object.keys(KINDS).join(", ") + ")");
          }
          var v = layerDefaults(kind);
          (colon < 0 ? [] : spec.slice(colon + 1).split(",")).forEach(function (kv) {
            var at = kv.indexOf("="), field = kv.slice(0, at);
            if (at < 0 || KINDS[kind].fields.indexOf(field) < 0) {
              throw new AddressError(where + ": " + repr(at < 0 ? kv : field) + " is not a field of " + kind +
                " (" + KINDS[kind].fields.join(", ") + ")");
            }
            v[field] = decode(kv.slice(at + 1), where + " " + field);
          });
          return { kind: kind, v: v };
        });
      } else {
        throw new AddressError(repr(key) + " is not part of a calculator address (mode, rank, in, l, x)");
      }
    });
    if (sizes) { // the rank may come after the sizes
      var names = inputNames(state.rank);
      if (sizes.length !== names.length) {
        throw new AddressError("in must hold " + names.length + " sizes (" + names.join(",") + ") in " + RANKS[state.rank] +
          ", got " + sizes.length);
      }
      state.input = sizes.map(function (v, i) { return decode(v, names[i]); });
    } else if (state.rank !== 2) {
      state.input = fill(state.rank, "32").concat(["3"]);
    }
    return state;
  }
  function toHash(state) {
    var layers = state.layers.map(function (layer) {
      var defaults = KINDS[layer.kind].defaults, changed = [];
      KINDS[layer.kind].fields.forEach(function (key) {
        if (layer.v[key] !== defaults[key]) changed.push(key + "=" + encodeURIComponent(layer.v[key]));
      });
      return layer.kind + (changed.length ? ":" + changed.join(",") : "");
    });
    var rank = state.rank === 2 ? "" : "&rank=" + state.rank; // no rank is 2-D, as in the addresses before ranks
    var explore = state.explore ? "&x=" + encodeURIComponent(state.explore).replace(/%3A/g, ":").replace(/%2C/g, ",") : "";
    return "#mode=" + state.mode + rank + "&in=" + state.input.map(encodeURIComponent).join(",") + "&l=" + layers.join(";") + explore;
  }

  // ---------------------------------------------------------------- DOM
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs.text;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), attrs[name]);
      else if (attrs[name] !== false && attrs[name] != null) node.setAttribute(name, attrs[name] === true ? "" : attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.append(child); });
    return node;
  }
  // Every figure groups thousands with a comma, shapes too: 1,024 × 1,024 × 64, 1,936,392,192.
  function fmt(n) { return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function fmtShape(shape) { return shape.map(fmt).join(" × "); }
  var DASH = "—";
  var SHAPE_NAMES = { 1: "L × C", 2: "H × W × C", 3: "D × H × W × C" };
  function columns(rank) {
    return [["layer", "Layer"], ["shape", "Output (" + SHAPE_NAMES[rank] + ")"], ["params", "Parameters"], ["macs", "MACs"],
      ["field", "Receptive field"], ["stride", "Effective stride"]];
  }

  function Calculator(root) {
    this.root = root;
    this.load(location.hash);
    this.build();
    var self = this;
    window.addEventListener("hashchange", function () {
      // a heading's anchor (the table of contents) leaves the stack as it is
      if (location.hash !== self.hash && isStateHash(location.hash)) { self.load(location.hash); self.build(); }
    });
  }
  // The stack in `hash`; a hash that cannot be read gives the default stack and a message, a
  // heading's anchor (or none) the default stack, and the anchor stays in the address bar.
  Calculator.prototype.load = function (hash) {
    this.addressError = null;
    this.notice = null;
    this.anchor = !isStateHash(hash) && hash.replace(/^#/, "") !== "";
    if (!isStateHash(hash)) { this.state = parseHash(DEFAULT_HASH); return; }
    try {
      this.state = parseHash(hash);
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      this.state = parseHash(DEFAULT_HASH);
      this.addressError = "This address could not be read (" + error.reason + "): showing the default stack.";
    }
  };
  // The reader changed the stack: the address now holds it, earlier messages about it go.
  Calculator.prototype.edited = function () {
    this.addressError = null;
    this.anchor = false;
  };

  // A text field with its hint and its message (aria-describedby, aria-invalid).
  function textField(id, label, value, hint, onInput, list) {
    return el("div", { class: "cc-field" }, [
      el("label", { for: id, text: label }),
      el("input", { id: id, type: "text", value: value, autocomplete: "off", spellcheck: "false", list: list,
        inputmode: list ? null : "numeric", "aria-describedby": id + "-hint " + id + "-msg",
        size: 6, oninput: onInput }),
      el("span", { id: id + "-hint", class: "cc-hint", text: hint }),
      el("span", { id: id + "-msg", class: "cc-msg" }),
    ]);
  }

  Calculator.prototype.build = function (focusId) {
    var self = this, state = this.state, root = this.root;
    root.textContent = "";
    root.dataset.ready = "true";
    var presets = el("div", { class: "cc-presets", role: "group", "aria-label": "Presets" },
      [el("span", { class: "cc-presets-label", text: "Presets:" })].concat(PRESETS.map(function (preset) {
        return el("button", { type: "button", class: "md-button cc-small", text: preset[0], onclick: function () {
          self.load("#" + preset[1]);
          self.build(); // keep focus on the preset button
          var again = Array.prototype.find.call(root.querySelectorAll(".cc-presets button"), function (b) { return b.textContent === preset[0]; });
          if (again) again.focus();
        } });
      })));
    var modes = el("fieldset", { class: "cc-modes" }, [el("legend", { text: "Semantics" })].concat(
      Object.keys(MODES).map(function (mode) {
        return el("label", { class: "cc-radio" }, [
          el("input", { type: "radio", id: "cc-mode-" + mode, name: "cc-mode", value: mode, checked: state.mode === mode, onchange: function () {
            var switched = switchMode(self.state, mode);
            self.state = switched.state;
            self.notice = { mode: mode, lines: switched.notes };
            self.edited();
            self.build("cc-mode-" + mode);
          } }), document.createTextNode(" " + MODES[mode]),
        ]);
      })));
    var ranks = el("fieldset", { class: "cc-modes" }, [el("legend", { text: "Dimensions" })].concat(
      Object.keys(RANKS).map(function (rank) {
        return el("label", { class: "cc-radio" }, [
          el("input", { type: "radio", id: "cc-rank-" + rank, name: "cc-rank", value: rank, checked: state.rank === Number(rank), onchange: function () {
            self.state = changeRank(self.state, Number(rank));
            self.edited();
            self.build("cc-rank-" + rank);
          } }), document.createTextNode(" " + RANKS[rank]),
        ]);
      })));
    var names = inputNames(state.rank);
    var input = el("fieldset", { class: "cc-input" }, [el("legend", { text: "Input shape (" + SHAPE_NAMES[state.rank].replace(/ × /g, ", ") + ")" })].concat(
      INPUT_KEYS[state.rank].map(function (key, i) {
        var label = names[i].charAt(0).toUpperCase() + names[i].slice(1);
        return textField("cc-in-" + key, label, state.input[i], "positive int", function (e) {
          state.input[i] = e.target.value; self.edited(); self.update();
        });
      })));
    var layers = el("ol", { class: "cc-layers" }, state.layers.map(function (layer, index) { return self.layerForm(layer, index); }));
    var add = el("button", { type: "button", id: "cc-add", class: "md-button cc-add", text: "Add layer", onclick: function () {
      state.layers.push({ kind: "conv", v: layerDefaults("conv", state.mode) });
      self.edited();
      self.build("cc-l" + state.layers.length + "-kind");
    } });
    this.table = el("div", { class: "cc-scroll", tabindex: "0", role: "region", "aria-label": "Results table" });
    this.summary = el("p", { class: "cc-summary", "aria-live": "polite" });
    this.link = el("a", { class: "cc-link", text: "Link to this stack" });
    var paddings = el("datalist", { id: "cc-paddings" }, ["valid", "same", "causal", "0", "1", "2", "3"].map(function (v) {
      return el("option", { value: v });
    }));
    var modesList = el("datalist", { id: "cc-padding-modes" }, PADDING_MODES.map(function (v) { return el("option", { value: v }); }));
    this.messages = el("div", { class: "cc-messages" });
    [paddings, modesList, this.messages, presets, modes, this.noticeBox(), ranks, input, el("h2", { text: "Layers" }), layers, add,
      el("h2", { text: "Results" }), this.summary, this.table, el("p", {}, [this.link])].forEach(function (node) {
      if (node) root.append(node);
    });
    this.update();
    if (focusId && document.getElementById(focusId)) document.getElementById(focusId).focus();
  };

  // What the last switch of framework converted (or kept), beside the switch.
  Calculator.prototype.noticeBox = function () {
    var notice = this.notice;
    if (!notice) return null;
    var name = MODES[notice.mode];
    return el("div", { class: "cc-converted", role: "status" }, notice.lines.length ? [
      el("p", { text: "Switched to " + name + " semantics. Fields that " + name + " spells differently, converted to give the same output shape:" }),
      el("ul", {}, notice.lines.map(function (line) { return el("li", { text: line }); })),
    ] : [el("p", { text: "Switched to " + name + " semantics: every field means the same there, nothing to convert." })]);
  };

  Calculator.prototype.layerForm = function (layer, index) {
    var self = this, state = this.state, n = index + 1, kind = KINDS[layer.kind], last = index === state.layers.length - 1;
    var id = function (key) { return "cc-l" + n + "-" + key; };
    var kindSelect = el("select", { id: id("kind"), onchange: function (e) {
      changeKind(state, index, e.target.value);
      self.edited();
      self.build(id("kind"));
    } }, Object.keys(KINDS).map(function (name) {
      return el("option", { value: name, selected: name === layer.kind, text: KINDS[name].label });
    }));
    var fields = kind.fields.map(function (key) {
      var onInput = function (e) {
        layer.v[key] = key === "b" ? (e.target.checked ? "1" : "0") : e.target.value;
        self.edited();
        self.update();
      };
      if (key === "b") {
        return el("div", { class: "cc-field cc-check" }, [
          el("input", { id: id(key), type: "checkbox", checked: layer.v.b !== "0", onchange: onInput }),
          el("label", { for: id(key), text: "Bias" }),
        ]);
      }
      var label = key === "k" && kind.pool ? "Pool size" : FIELDS[key].label;
      var hint = key === "s" && kind.pool ? POOL_STRIDE_HINT : key === "k" ? KERNEL_HINTS[state.rank] :
        key === "p" ? PADDING_HINTS[state.rank === 1 && !kind.pool ? 1 : 2] : FIELDS[key].hint;
      var list = key === "p" ? "cc-paddings" : key === "pm" ? "cc-padding-modes" : null;
      return textField(id(key), label, layer.v[key], hint, onInput, list);
    });
    var move = function (to, focusKey) {
      return function () {
        var moved = state.layers.splice(index, 1)[0];
        state.layers.splice(to, 0, moved);
        var target = "cc-l" + (to + 1) + "-" + focusKey;
        if (to === 0 && focusKey === "up") target = "cc-l1-down";
        if (to === state.layers.length - 1 && focusKey === "down") target = "cc-l" + (to + 1) + "-up";
        self.edited();
        self.build(target);
      };
    };
    var actions = el("div", { class: "cc-actions" }, [
      el("button", { type: "button", id: id("up"), class: "md-button cc-small", disabled: index === 0, "aria-label": "Move layer " + n + " up", text: "↑ Up", onclick: move(index - 1, "up") }),
      el("button", { type: "button", id: id("down"), class: "md-button cc-small", disabled: last, "aria-label": "Move layer " + n + " down", text: "↓ Down", onclick: move(index + 1, "down") }),
      el("button", { type: "button", id: id("remove"), class: "md-button cc-small", "aria-label": "Remove layer " + n, text: "Remove", onclick: function () {
        state.layers.splice(index, 1);
        self.edited();
        self.build(state.layers.length ? "cc-l" + Math.min(n, state.layers.length) + "-remove" : "cc-add");
      } }),
    ]);
    return el("li", { class: "cc-layer" }, [el("fieldset", {}, [
      el("legend", { text: "Layer " + n }),
      el("div", { class: "cc-fields" }, [el("div", { class: "cc-field" }, [el("label", { for: id("kind"), text: "Type" }), kindSelect])].concat(fields)),
      actions,
    ])]);
  };

  // Recompute both frameworks, show messages beside the fields, redraw the table, write the URL.
  Calculator.prototype.update = function () {
    var state = this.state, other = state.mode === "keras" ? "pytorch" : "keras", COLUMNS = columns(state.rank);
    var result = evaluate(state, state.mode), alt = evaluate(state, other);
    this.root.querySelectorAll(".cc-msg").forEach(function (msg) {
      var input = document.getElementById(msg.id.slice(0, -4)), text = result.fieldErrors[input.id] || "";
      msg.textContent = text;
      if (text) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    });
    this.messages.textContent = "";
    if (this.addressError) this.messages.append(el("p", { class: "cc-address-error", role: "alert", text: this.addressError }));
    // One row of figures, each cell labelled with its column (shown when the cells stack on a
    // narrow screen), and under it, across the whole table, a row with the notes, if any.
    var rows = function (key, values, notes, cls) {
      var figures = el("tr", { "data-row": key, class: cls || null }, COLUMNS.map(function (column, i) {
        return el(i === 0 ? "th" : "td", { "data-col": column[0], "data-label": i === 0 ? null : column[1],
          scope: i === 0 ? "row" : null, id: i === 0 ? "cc-row-" + key : null }, [values[i]]);
      }));
      if (!notes.length) return [figures];
      return [figures, el("tr", { "data-notes": key, class: "cc-notes-row" }, [
        el("td", { "data-col": "notes", colspan: COLUMNS.length, headers: "cc-row-" + key }, notes),
      ])];
    };
    var note = function (cls, text) { return el("span", { class: "cc-note " + cls, text: text }); };
    var body = rows("0", ["Input", result.input ? fmtShape(result.input) : DASH, "", "", "1", "1"],
      result.input ? [] : [note("cc-error", "Invalid input shape")]);
    result.rows.forEach(function (row, i) {
      var n = i + 1, r = row.result, a = alt.rows[i], notes = [];
      var name = KINDS[row.kind].label;
      if (r) {
        name = r.cls;
        r.info.forEach(function (t) { notes.push(note("cc-info", t)); });
        if (row.noField) notes.push(note("cc-info", row.noField));
      }
      if (row.error) notes.push(note("cc-error", "Invalid: " + row.error.message));
      if (row.blocked) notes.push(note("cc-blocked", DASH + " " + row.blocked));
      // Where the other framework disagrees with this layer, say what it does instead.
      if ((r || row.error) && (a.result || a.error)) {
        var mine = r ? fmtShape(r.shape) : "refused: " + row.error.message;
        var theirs = a.result ? fmtShape(a.result.shape) : "refused: " + a.error.message;
        if (mine !== theirs) notes.push(note("cc-diff", MODES[other] + ": " + theirs));
      }
      body = body.concat(rows(String(n), [
        n + ". " + name, r ? fmtShape(r.shape) : DASH, r ? fmt(r.params) : DASH, r ? fmt(r.macs) : DASH,
        row.field ? fmt(row.field[0]) : DASH, row.field ? fmt(row.field[1]) : DASH,
      ], notes, r ? null : "cc-bad"));
    });
    var t = result.total;
    var foot = t.blocked ? rows("total", ["Total", DASH, DASH, DASH, DASH, DASH], [note("cc-blocked", DASH + " " + t.blocked)]) :
      rows("total", ["Total", fmtShape(t.shape), fmt(t.params), fmt(t.macs), t.field ? fmt(t.field[0]) : DASH, t.field ? fmt(t.field[1]) : DASH],
        t.field ? [] : [note("cc-info", "receptive field: not tracked through a transposed convolution")]);
    var head = el("tr", {}, COLUMNS.map(function (column) { return el("th", { scope: "col", text: column[1] }); }));
    this.table.textContent = "";
    this.table.append(el("table", { class: "cc-table" }, [
      el("caption", { text: "Per layer, in " + MODES[state.mode] + " semantics (MACs: multiply-accumulates, FLOPs ≈ 2 × MACs)" }),
      el("thead", {}, [head]), el("tbody", {}, body), el("tfoot", {}, foot),
    ]));
    this.summary.textContent = t.blocked ? "No result: " + t.blocked + "." :
      "Output " + fmtShape(t.shape) + ", " + fmt(t.params) + " parameters, " + fmt(t.macs) + " MACs.";
    this.writeHash();
    this.result = result;
    // the explorer (explorer.js) draws what this result says
    this.root.dispatchEvent(new CustomEvent("cc:update", { bubbles: true, detail: this }));
  };
  // The address holds the stack (and the explorer's cell); a heading's anchor stays until the
  // reader changes the stack.
  Calculator.prototype.writeHash = function () {
    this.hash = toHash(this.state);
    if (location.hash !== this.hash && !this.anchor) history.replaceState(history.state, "", this.hash);
    this.link.setAttribute("href", this.hash);
  };

  // The DOM helpers, for the explorer (explorer.js) to build with the same ones.
  Calculator.prototype.helpers = { el: el, fmt: fmt };

  function init() {
    var root = document.getElementById("cc-app");
    if (root && !root.dataset.ready) root.calculator = new Calculator(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
})();
