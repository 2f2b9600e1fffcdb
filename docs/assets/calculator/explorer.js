/* Explorer: draws the calculator's stack (calculator.js) tensor by tensor, the window of one
 * output sliding over the padded input (or, for a transposed layer, one input scattered
 * through the kernel), and the receptive field of any output in every tensor below it.
 *
 * Its arithmetic is that of snippets/cells.py, axis by axis: a window layer's output o reads
 * o s + u d - before; a transposed layer's input i writes i s + u d - crop. A 2-D or 3-D set of
 * cells is the product of one set per axis, and tools/explorer_cases.py is the Python twin that
 * the browser tests compare the drawn pixels with. The calculator sends its result in a
 * "cc:update" event; the explorer's own state (layer, output cell, scattered input) is the
 * address's x=<layer>:<cell>[:<input>] part, e.g. x=2:27,27.
 */
(function () {
  "use strict";

  var MAX_DRAWN = { 1: 512, 2: 160, 3: 160 }; // cells drawn along an axis at most (the rest scrolls out)
  var CELL_PX = [2, 22]; // smallest and largest cell, in CSS pixels
  var NUMBERS_PX = 16; // overlap counts are written in cells at least this large
  var PLAY_MS = 700;
  var CLASSES = ["line", "cell", "pad", "field", "fieldpad", "focus", "frame", "write", "crop"];
  var KEY = [["cell", "a value"], ["pad", "padding"], ["field", "receptive field"], ["fieldpad", "padding it reads"],
    ["focus", "selected output"], ["frame", "scattered input"], ["write", "written"], ["crop", "written, then cropped"]];
  var AXIS_WORDS = { 1: ["position"], 2: ["row", "column"], 3: ["depth", "row", "column"] };
  var AXIS_PLURALS = { position: "positions", row: "rows", column: "columns", depth: "depths" };

  var el, fmt; // calculator.js's DOM helpers, taken at init
  function range(n) { var out = []; for (var i = 0; i < n; i++) out.push(i); return out; }
  function sorted(set) { return Array.from(set).sort(function (a, b) { return a - b; }); }

  // ---------------------------------------------------------------- the arithmetic (snippets/cells.py)
  function windowReads(m, o) { return range(m.k).map(function (u) { return o * m.s + u * m.d - m.offset; }); }
  function scatterWrites(m, i) { return range(m.k).map(function (u) { return i * m.s + u * m.d - m.offset; }); }
  // sources: the real inputs the outputs `outs` depend on, and the padding their windows read.
  function sources(m, outs) {
    var cells = new Set(), padding = new Set();
    if (m.kind === "window") {
      outs.forEach(function (o) {
        windowReads(m, o).forEach(function (j) { (j >= 0 && j < m.n ? cells : padding).add(j); });
      });
    } else {
      for (var i = 0; i < m.n; i++) {
        if (scatterWrites(m, i).some(function (j) { return outs.has(j); })) cells.add(i);
      }
    }
    return { cells: cells, padding: padding };
  }
  // receptive_cells along one axis: entry t is tensor t's field (0 the input, `layer` the output cell).
  function receptiveCells(maps, layer, o) {
    var fields = [{ cells: new Set([o]), padding: new Set() }], cells = fields[0].cells;
    for (var t = layer - 1; t >= 0; t--) {
      var f = sources(maps[t], cells);
      fields.unshift(f);
      cells = f.cells;
    }
    return fields;
  }
  // overlap_counts_along: how many (input, tap) pairs write to each position, crop included.
  function overlapCounts(m) {
    var counts = new Map();
    for (var i = 0; i < m.n; i++) scatterWrites(m, i).forEach(function (j) { counts.set(j, (counts.get(j) || 0) + 1); });
    return counts;
  }
  // The recurrence of snippets.receptive.receptive_fields, for the windows below the layer:
  // r += (k_eff - 1) S, P += p S, S *= s (null after a transposed layer).
  function recurrence(maps) {
    var r = 1, S = 1, P = 0;
    for (var t = 0; t < maps.length; t++) {
      if (maps[t].kind !== "window") return null;
      r += maps[t].d * (maps[t].k - 1) * S;
      P += maps[t].offset * S;
      S *= maps[t].s;
    }
    return { size: r, stride: S, padding: P };
  }

  // ---------------------------------------------------------------- the stack, as the explorer reads it
  // Tensor t = 0 (the input) .. L: its spatial sizes, and maps[t - 1][axis] the layer making it.
  function readStack(calculator) {
    var result = calculator.result, stack = { rank: calculator.state.rank, sizes: [], layers: [] };
    if (!result.input) return null;
    stack.sizes.push(result.input.slice(0, stack.rank).map(Number));
    for (var i = 0; i < result.rows.length && result.rows[i].result; i++) {
      var r = result.rows[i].result;
      stack.layers.push({ cls: r.cls, maps: r.maps, params: r.params, macs: r.macs });
      stack.sizes.push(r.shape.slice(0, stack.rank).map(Number));
    }
    stack.firstBad = i < result.rows.length ? i + 1 : null;
    return stack;
  }
  // The explorer's part of the address: "<layer>:<cell>[:<input>]", or null if it does not fit.
  function parseExplore(text, stack) {
    if (!text) return null;
    var parts = text.split(":"), layer = Number(parts[0]);
    if (!(layer >= 1 && layer <= stack.layers.length && String(layer) === parts[0])) return null;
    var cells = parts.slice(1).map(function (part) { return part.split(",").map(Number); });
    var sizes = [stack.sizes[layer], stack.sizes[layer - 1]];
    var ok = cells.length >= 1 && cells.every(function (cell, c) {
      return cell.length === stack.rank && cell.every(function (v, a) { return Number.isInteger(v) && v >= 0 && v < sizes[c][a]; });
    });
    if (!ok) return null;
    return { layer: layer, cell: cells[0], input: cells[1] || stack.sizes[layer - 1].map(function () { return 0; }) };
  }
  function defaultView(stack) {
    var layer = stack.layers.length;
    return { layer: layer, cell: stack.sizes[layer].map(function (n) { return Math.floor((n - 1) / 2); }),
      input: stack.sizes[layer - 1].map(function () { return 0; }) };
  }
  function isScatter(stack, layer) { return stack.layers[layer - 1].maps[0].kind === "scatter"; }

  // Everything drawn, per tensor t: per axis the field's cells and padding, the band drawn
  // around it (padding of layer t + 1, or the crop of a scattering layer t), and the cells
  // the animated layer's frame marks. Pure: the browser tests compare it with the twin too.
  function scene(stack, view) {
    var rank = stack.rank, layer = view.layer, scatter = isScatter(stack, layer);
    var perAxis = range(rank).map(function (a) {
      return receptiveCells(stack.layers.map(function (l) { return l.maps[a]; }), layer, view.cell[a]);
    });
    return stack.sizes.map(function (sizes, t) {
      var below = t < stack.layers.length ? stack.layers[t].maps : null, made = t ? stack.layers[t - 1].maps : null;
      var tensor = { t: t, sizes: sizes, axes: [] };
      range(rank).forEach(function (a) {
        var f = t <= layer ? perAxis[a][t] : { cells: new Set(), padding: new Set() };
        var before = below && below[a].kind === "window" ? below[a].offset : 0;
        var after = below && below[a].kind === "window" ? below[a].after : 0;
        var axis = { field: f.cells, padding: f.padding, before: before, after: after, frame: null, writes: null };
        if (scatter && t === layer - 1) axis.frame = view.input[a];
        if (scatter && t === layer) {
          var m = made[a];
          axis.writes = new Set(scatterWrites(m, view.input[a]));
          axis.counts = overlapCounts(m);
          axis.before = Math.max(before, m.offset);
          axis.after = Math.max(after, m.after);
        }
        if (t === layer) axis.focus = view.cell[a];
        tensor.axes.push(axis);
      });
      return tensor;
    });
  }
  // A cell's class follows from what holds on every axis at once: each position of an axis
  // gets a bit per property, and the AND of a cell's positions' bits is looked up in CLASS_OF.
  var INSIDE = 1, FIELD = 2, REACHED = 4, WRITTEN = 8, FOCUS = 16, FRAME = 32;
  function classOfBits(bits) {
    var inside = bits & INSIDE;
    if (inside && bits & FOCUS) return "focus";
    if (inside && bits & FRAME) return "frame";
    if (bits & WRITTEN) return inside ? "write" : "crop";
    if (inside && bits & FIELD) return "field";
    if (!inside && bits & REACHED && !(bits & FIELD)) return "fieldpad";
    return inside ? "cell" : "pad";
  }
  var CLASS_OF = range(64).map(classOfBits);
  // The bits of position v of an axis of `size` positions.
  function axisBits(axis, size, v) {
    return (v >= 0 && v < size ? INSIDE : 0) | (axis.field.has(v) ? FIELD | REACHED : 0) | (axis.padding.has(v) ? REACHED : 0) |
      (axis.writes && axis.writes.has(v) ? WRITTEN : 0) | (axis.focus === v ? FOCUS : 0) | (axis.frame === v ? FRAME : 0);
  }

  // Which part of each axis is drawn: all of it with its band when it fits, else MAX_DRAWN
  // cells around the field (or the frame's writes).
  function drawnRange(axis, size, most) {
    var lo = -axis.before, hi = size + axis.after; // [lo, hi)
    if (hi - lo <= most) return [lo, hi];
    var marked = sorted(new Set(Array.from(axis.field).concat(Array.from(axis.padding), Array.from(axis.writes || []))));
    var centre = marked.length ? Math.round((marked[0] + marked[marked.length - 1]) / 2) :
      axis.focus != null ? axis.focus : 0;
    var start = Math.min(Math.max(centre - Math.floor(most / 2), lo), hi - most);
    return [start, start + most];
  }
  // The 3-D slice drawn: the middle depth of the field (or of the frame), else 0.
  function sliceOf(tensor) {
    var axis = tensor.axes[0];
    if (axis.focus != null) return axis.focus;
    if (axis.frame != null) return axis.frame;
    var cells = sorted(axis.field);
    return cells.length ? cells[Math.floor((cells.length - 1) / 2)] : 0;
  }

  // ---------------------------------------------------------------- words: the text equivalent of each picture
  function describeSet(cells, word, size) {
    var list = sorted(cells);
    var plural = AXIS_PLURALS[word];
    if (!list.length) return "no " + plural;
    var first = list[0], last = list[list.length - 1];
    if (list.length === 1) return word + " " + fmt(first);
    if (last - first + 1 === list.length) return plural + " " + fmt(first) + "–" + fmt(last) + (size ? "" : "");
    var steps = new Set(list.slice(1).map(function (v, i) { return v - list[i]; }));
    var step = steps.size === 1 ? ", every " + ordinal(list[1] - list[0]) : "";
    return fmt(list.length) + " " + plural + " from " + fmt(first) + " to " + fmt(last) + step +
      " (" + fmt(last - first + 1 - list.length) + " skipped)";
  }
  function ordinal(n) { return n === 2 ? "second" : n === 3 ? "third" : n + "th"; }
  function product(values) { return values.reduce(function (a, b) { return a * b; }, 1); }
  function cellText(cell) { return "(" + cell.join(", ") + ")"; }
  function tensorName(stack, t) { return t ? "Layer " + t + " (" + stack.layers[t - 1].cls + ") output" : "Input"; }

  function caption(stack, view, tensor) {
    var rank = stack.rank, words = AXIS_WORDS[rank], t = tensor.t, layer = view.layer;
    var shape = tensor.sizes.map(fmt).join(" × ");
    var text = tensorName(stack, t) + ", " + shape + ". ";
    var bands = tensor.axes.map(function (x) { return x.before + x.after; });
    if (bands.some(Boolean) && !(isScatter(stack, layer) && t === layer)) {
      text += "Drawn with the padding of layer " + (t + 1) + " around it (" + tensor.axes.map(function (x) {
        return x.before + " before, " + x.after + " after";
      }).join("; ") + "). ";
    }
    if (t === layer) {
      text += "Selected output " + cellText(view.cell) + ". ";
      if (isScatter(stack, layer)) {
        text += "Drawn inside the full output, with the crop around it (" + stack.layers[t - 1].maps.map(function (m) {
          return m.offset + " before, " + m.after + " after";
        }).join("; ") + "). ";
        var writes = tensor.axes.map(function (x) { return Array.from(x.writes); });
        var kept = tensor.axes.map(function (x, a) { return writes[a].filter(function (j) { return j >= 0 && j < tensor.sizes[a]; }).length; });
        var counts = tensor.axes.map(function (x) { return Array.from(x.counts.values()); });
        var lo = product(counts.map(function (c) { return Math.min.apply(null, c); }));
        var hi = product(counts.map(function (c) { return Math.max.apply(null, c); }));
        text += "Input " + cellText(view.input) + " writes to " + fmt(product(writes.map(function (w) { return w.length; }))) +
          " cells: " + tensor.axes.map(function (x, a) { return describeSet(x.writes, words[a]); }).join(", ") + "; " +
          (product(kept) === product(writes.map(function (w) { return w.length; })) ? "all kept" :
            fmt(product(kept)) + " of them kept, the rest cropped") + ". Each cell sums " + (lo === hi ? fmt(lo) : fmt(lo) + " to " + fmt(hi)) +
          " (input, tap) pairs (crop included). ";
      }
      return text;
    }
    if (t > layer) return text + "Above the selected layer: nothing marked.";
    if (tensor.axes[0].frame != null) text += "The scattered input " + cellText(view.input) + " is marked. ";
    var counts = tensor.axes.map(function (x) { return x.field.size; });
    var pads = product(tensor.axes.map(function (x) { return x.field.size + x.padding.size; })) - product(counts);
    text += "The receptive field of output " + cellText(view.cell) + " of layer " + layer + " here: " +
      tensor.axes.map(function (x, a) { return describeSet(x.field, words[a]); }).join(", ") + ": " +
      fmt(product(counts)) + " cells";
    text += pads ? ", and " + fmt(pads) + " padding cells read. " : ", no padding read. ";
    return text;
  }

  // ---------------------------------------------------------------- drawing
  function colours(root) {
    var style = getComputedStyle(root), out = {};
    CLASSES.concat(["text"]).forEach(function (name) { out[name] = style.getPropertyValue("--cx-" + name).trim(); });
    return out;
  }
  // One canvas per tensor: cell (i, j) of the drawn range at ((j - x0) px, (i - y0) px); in 1-D one row.
  function drawTensor(canvas, tensor, rank, width, palette) {
    var axes = rank === 3 ? tensor.axes.slice(1) : tensor.axes, sizes = rank === 3 ? tensor.sizes.slice(1) : tensor.sizes;
    var z = rank === 3 ? sliceOf(tensor) : null;
    var ranges = axes.map(function (x, a) { return drawnRange(x, sizes[a], MAX_DRAWN[rank]); });
    var rows = rank === 1 ? [0, 1] : ranges[0], cols = ranges[ranges.length - 1];
    var nCols = cols[1] - cols[0], nRows = rows[1] - rows[0];
    var px = Math.max(CELL_PX[0], Math.min(CELL_PX[1], Math.floor(width / nCols)));
    var ratio = window.devicePixelRatio || 1;
    var backing = [Math.round(nCols * px * ratio), Math.round(nRows * px * ratio)];
    if (canvas.width !== backing[0]) canvas.width = backing[0]; // setting a size, even the same, clears and reallocates
    if (canvas.height !== backing[1]) canvas.height = backing[1];
    canvas.style.width = nCols * px + "px";
    canvas.style.height = nRows * px + "px";
    canvas.dataset.origin = (rank === 1 ? [cols[0]] : [rows[0], cols[0]]).join(",");
    canvas.dataset.cells = (rank === 1 ? [nCols] : [nRows, nCols]).join(",");
    canvas.dataset.px = String(px);
    if (z !== null) canvas.dataset.slice = String(z);
    else delete canvas.dataset.slice; // a canvas kept from a 3-D stack
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = palette.line;
    ctx.fillRect(0, 0, nCols * px, nRows * px);
    var gap = px >= 5 ? 1 : 0, last = axes.length - 1;
    var depthBits = rank === 3 ? axisBits(tensor.axes[0], tensor.sizes[0], z) : 63;
    var colBits = range(nCols).map(function (c) { return axisBits(axes[last], sizes[last], cols[0] + c); });
    // cells of one class in runs along the row, one rectangle per run
    for (var i = rows[0]; i < rows[1]; i++) {
      var rowBits = depthBits & (rank === 1 ? 63 : axisBits(axes[0], sizes[0], i));
      var runStart = cols[0], runClass = null;
      for (var j = cols[0]; j <= cols[1]; j++) {
        var cls = j < cols[1] ? CLASS_OF[rowBits & colBits[j - cols[0]]] : null;
        if (cls !== runClass) {
          if (runClass) {
            ctx.fillStyle = palette[runClass];
            ctx.fillRect((runStart - cols[0]) * px, (i - rows[0]) * px, (j - runStart) * px, px);
          }
          runStart = j;
          runClass = cls;
        }
      }
    }
    // the grid: a line of `gap` pixels along the top and the left of every cell
    if (gap) {
      ctx.fillStyle = palette.line;
      for (var c = 0; c < nCols; c++) ctx.fillRect(c * px, 0, gap, nRows * px);
      for (var r = 0; r < nRows; r++) ctx.fillRect(0, r * px, nCols * px, gap);
    }
    // overlap counts of a scattering layer, in the lower right of cells large enough
    if (px >= NUMBERS_PX && tensor.axes[0].counts) {
      ctx.font = Math.round(px * 0.45) + "px sans-serif";
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      ctx.fillStyle = palette.text;
      for (i = rows[0]; i < rows[1]; i++) {
        for (j = cols[0]; j < cols[1]; j++) {
          var pos = rank === 1 ? [j] : rank === 2 ? [i, j] : [z, i, j];
          var n = product(pos.map(function (v, a) { return tensor.axes[a].counts.get(v) || 0; }));
          ctx.fillText(String(n), (j - cols[0] + 1) * px - 1, (i - rows[0] + 1) * px);
        }
      }
    }
    return { rows: rows, cols: cols, px: px, z: z };
  }

  // ---------------------------------------------------------------- the widget
  function Explorer(root, calculator) {
    this.root = root;
    this.calculator = calculator;
    this.timer = null;
    this.canvases = [];
    this.drawn = [];
    this.reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    root.dataset.ready = "true";
    this.render();
  }
  Explorer.prototype.stop = function () {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  };
  // The reader chose another layer, cell or frame: into the address, then redraw.
  Explorer.prototype.go = function (view) {
    var text = view.layer + ":" + view.cell.join(",");
    if (isScatter(this.stack, view.layer) && view.input.some(Boolean)) text += ":" + view.input.join(",");
    this.calculator.state.explore = text;
    this.calculator.edited();
    this.calculator.writeHash();
    this.render();
  };
  // Frames: a window layer steps its output cell, a scattering layer its input, in raster order.
  Explorer.prototype.frames = function (view) {
    var scatter = isScatter(this.stack, view.layer);
    return { sizes: this.stack.sizes[scatter ? view.layer - 1 : view.layer], at: scatter ? view.input : view.cell, scatter: scatter };
  };
  function rasterIndex(at, sizes) { return at.reduce(function (acc, v, a) { return acc * sizes[a] + v; }, 0); }
  function fromRaster(index, sizes) {
    var out = [];
    for (var a = sizes.length - 1; a >= 0; a--) { out.unshift(index % sizes[a]); index = Math.floor(index / sizes[a]); }
    return out;
  }
  Explorer.prototype.step = function (by) {
    var view = this.view, f = this.frames(view), count = product(f.sizes);
    var next = fromRaster(((rasterIndex(f.at, f.sizes) + by) % count + count) % count, f.sizes);
    this.go(Object.assign({}, view, f.scatter ? { input: next } : { cell: next }));
  };
  Explorer.prototype.togglePlay = function () {
    var self = this;
    if (this.timer) { this.stop(); this.render(); return; }
    this.timer = setInterval(function () { self.step(1); }, PLAY_MS);
    this.render();
  };

  Explorer.prototype.render = function () {
    var self = this, root = this.root, calculator = this.calculator;
    var stack = readStack(calculator);
    var focusId = document.activeElement && root.contains(document.activeElement) ? document.activeElement.id : null;
    root.textContent = "";
    this.stack = stack;
    if (!stack || !stack.layers.length) {
      this.stop();
      var why = !stack ? "Fix the input shape" : stack.firstBad ? "Fix layer " + stack.firstBad : "Add a layer";
      root.append(el("p", { class: "cx-empty", text: why + " to see its windows and receptive fields here." }));
      return;
    }
    var view = parseExplore(calculator.state.explore, stack), misfit = null;
    if (!view && calculator.state.explore) {
      misfit = el("p", { class: "cc-address-error", role: "status", id: "cx-misfit", text: "The address's x=" + calculator.state.explore +
        " names no layer and cell of this stack (x=<layer>:<cell>, with a layer from 1 to " + stack.layers.length +
        " and one index per axis inside its output): showing the middle output of the last layer." });
    }
    view = view || defaultView(stack);
    this.view = view;
    var frames = this.frames(view), words = AXIS_WORDS[stack.rank];
    var layerSelect = el("select", { id: "cx-layer", onchange: function (e) {
      var layer = Number(e.target.value);
      self.go({ layer: layer, cell: stack.sizes[layer].map(function (n) { return Math.floor((n - 1) / 2); }),
        input: stack.sizes[layer - 1].map(function () { return 0; }) });
    } }, stack.layers.map(function (l, i) {
      return el("option", { value: String(i + 1), selected: i + 1 === view.layer, text: (i + 1) + ". " + l.cls });
    }));
    var cellFields = view.cell.map(function (v, a) {
      var id = "cx-cell-" + a, limit = stack.sizes[view.layer][a] - 1;
      return el("div", { class: "cc-field" }, [
        el("label", { for: id, text: "Output " + words[a] }),
        el("input", { id: id, type: "text", inputmode: "numeric", value: String(v), size: 5, autocomplete: "off",
          "aria-describedby": id + "-hint " + id + "-msg", oninput: function (e) {
            var text = e.target.value.trim(), msg = document.getElementById(id + "-msg");
            if (/^[0-9]+$/.test(text) && Number(text) <= limit) {
              var cell = view.cell.slice();
              cell[a] = Number(text);
              self.go(Object.assign({}, view, { cell: cell }));
            } else {
              msg.textContent = "output " + words[a] + " must be an int from 0 to " + fmt(limit) + ", got " +
                (text === "" ? "nothing" : "'" + e.target.value + "'");
              e.target.setAttribute("aria-invalid", "true");
            }
          } }),
        el("span", { id: id + "-hint", class: "cc-hint", text: "0 to " + fmt(limit) }),
        el("span", { id: id + "-msg", class: "cc-msg" }),
      ]);
    });
    var count = product(frames.sizes), index = rasterIndex(frames.at, frames.sizes);
    var frameLabel = (frames.scatter ? "Scattered input " : "Window of output ") + cellText(frames.at) +
      ": frame " + fmt(index + 1) + " of " + fmt(count);
    var slider = el("input", { id: "cx-frame", type: "range", min: "0", max: String(count - 1), value: String(index),
      "aria-valuetext": frameLabel, oninput: function (e) {
        var at = fromRaster(Number(e.target.value), frames.sizes);
        self.go(Object.assign({}, view, frames.scatter ? { input: at } : { cell: at }));
      } });
    var playing = !!this.timer;
    var controls = el("div", { class: "cx-controls" }, [
      el("div", { class: "cc-fields" }, [el("div", { class: "cc-field" }, [el("label", { for: "cx-layer", text: "Layer" }), layerSelect])].concat(cellFields)),
      el("div", { class: "cx-player" }, [
        el("button", { type: "button", id: "cx-prev", class: "md-button cc-small", text: "◀ Step back", onclick: function () { self.step(-1); } }),
        el("button", { type: "button", id: "cx-play", class: "md-button cc-small", "aria-pressed": playing ? "true" : "false",
          disabled: this.reduced, text: playing ? "Pause" : "Play", onclick: function () { self.togglePlay(); } }),
        el("button", { type: "button", id: "cx-next", class: "md-button cc-small", text: "Step ▶", onclick: function () { self.step(1); } }),
        el("label", { for: "cx-frame", class: "cx-frame-label", id: "cx-frame-label", text: frameLabel }),
        slider,
      ]),
      this.reduced ? el("p", { class: "cc-hint", text: "Your system asks for reduced motion: the frames do not play; step through them." }) : null,
    ]);
    var summary = el("p", { id: "cx-summary", class: "cx-summary", "aria-live": "polite", text: this.summary(stack, view) });
    var maxParams = stack.layers.reduce(function (a, l) { return l.params > a ? l.params : a; }, 0n);
    var maxMacs = stack.layers.reduce(function (a, l) { return l.macs > a ? l.macs : a; }, 0n);
    var scenes = scene(stack, view), palette = colours(root), width = Math.max(200, root.clientWidth - 8);
    var panels = scenes.map(function (tensor) {
      var t = tensor.t, id = "cx-t" + t;
      var canvas = self.canvas(t);
      var figure = el("figure", { class: "cx-tensor" + (t === view.layer ? " cx-selected" : "") }, [
        el("div", { class: "cx-head" }, [el("strong", { text: tensorName(stack, t) + " · " + tensor.sizes.map(fmt).join(" × ") })]
          .concat(t ? [bar("Parameters", stack.layers[t - 1].params, maxParams, t), bar("MACs", stack.layers[t - 1].macs, maxMacs, t)] : [])),
        el("div", { class: "cx-scroll" }, [canvas]),
        el("figcaption", { id: id + "-caption", class: "cx-caption", text: caption(stack, view, tensor) }),
      ]);
      return { figure: figure, canvas: canvas, tensor: tensor };
    });
    var key = el("ul", { class: "cx-key", "aria-label": "Colours" }, KEY.map(function (entry) {
      return el("li", {}, [el("span", { class: "cx-swatch", style: "background: var(--cx-" + entry[0] + ")" }), document.createTextNode(entry[1])]);
    }));
    root.append(misfit || "", controls, summary, key, el("div", { class: "cx-stack" }, panels.map(function (p) { return p.figure; })));
    panels.forEach(function (p) {
      var drawn = drawTensor(p.canvas, p.tensor, stack.rank, width, palette);
      if (stack.rank === 3) p.figure.querySelector(".cx-caption").prepend("Depth slice " + drawn.z + " of " + fmt(p.tensor.sizes[0]) + ". ");
      self.drawn[p.tensor.t] = { tensor: p.tensor, drawn: drawn };
    });
    this.canvases.length = scenes.length;
    if (focusId && document.getElementById(focusId)) document.getElementById(focusId).focus();
  };
  // Tensor t's canvas, made once and kept from one drawing to the next: a new canvas costs a
  // new backing store, which took most of an interaction's time. Its handlers read this.drawn.
  Explorer.prototype.canvas = function (t) {
    var self = this, id = "cx-t" + t;
    if (!this.canvases[t]) {
      this.canvases[t] = el("canvas", { id: id, class: "cx-grid", role: "img", "aria-labelledby": id + "-caption", "data-tensor": String(t),
        tabindex: t ? "0" : null, "aria-keyshortcuts": t ? "ArrowLeft ArrowRight ArrowUp ArrowDown PageUp PageDown" : null,
        onclick: function (e) { self.clicked(self.drawn[t].tensor, self.drawn[t].drawn, e); },
        onkeydown: function (e) { self.keyed(self.drawn[t].tensor, e); } });
    }
    return this.canvases[t];
  };
  function bar(name, value, most, t) {
    var share = most > 0n ? Number((value * 1000n) / most) / 10 : 0;
    return el("div", { class: "cx-bar", "data-bar": name.toLowerCase(), "data-layer": String(t) }, [
      el("span", { class: "cx-bar-name", text: name + " " + fmt(value) }),
      el("span", { class: "cx-bar-track", "aria-hidden": "true" }, [el("span", { class: "cx-bar-fill", style: "width: " + share + "%" })]),
    ]);
  }
  // Clicking a cell of a layer's output selects it; a cell of the input, nothing (it has no field).
  Explorer.prototype.clicked = function (tensor, drawn, event) {
    var t = tensor.t, rank = this.stack.rank;
    if (!t) return;
    var j = drawn.cols[0] + Math.floor(event.offsetX / drawn.px), i = drawn.rows[0] + Math.floor(event.offsetY / drawn.px);
    var cell = rank === 1 ? [j] : rank === 2 ? [i, j] : [drawn.z, i, j];
    if (cell.some(function (v, a) { return v < 0 || v >= tensor.sizes[a]; })) return;
    this.go({ layer: t, cell: cell, input: this.stack.sizes[t - 1].map(function () { return 0; }) });
  };
  // On a focused picture of a layer's output, the arrow keys move the selected cell along the
  // columns and rows (Page Up and Page Down along the depth); the first key selects that layer.
  var MOVES = { ArrowLeft: [-1, 1], ArrowRight: [1, 1], ArrowUp: [-1, 2], ArrowDown: [1, 2], PageUp: [-1, 3], PageDown: [1, 3] };
  Explorer.prototype.keyed = function (tensor, event) {
    var move = MOVES[event.key], rank = this.stack.rank, t = tensor.t;
    if (!move || !t || move[1] > rank) return;
    event.preventDefault();
    var cell = t === this.view.layer ? this.view.cell.slice() : tensor.sizes.map(function (n) { return Math.floor((n - 1) / 2); });
    var axis = rank - move[1];
    cell[axis] = Math.min(Math.max(cell[axis] + move[0], 0), tensor.sizes[axis] - 1);
    this.go({ layer: t, cell: cell, input: this.stack.sizes[t - 1].map(function () { return 0; }) });
  };
  Explorer.prototype.summary = function (stack, view) {
    var words = AXIS_WORDS[stack.rank], maps = stack.layers.slice(0, view.layer).map(function (l) { return l.maps; });
    var head = "Receptive field of output " + cellText(view.cell) + " of layer " + view.layer + " (" + stack.layers[view.layer - 1].cls + ")";
    var perAxis = range(stack.rank).map(function (a) { return recurrence(maps.map(function (m) { return m[a]; })); });
    if (perAxis[0]) {
      var show = function (key) {
        var values = perAxis.map(function (r) { return r[key]; });
        return values.every(function (v) { return v === values[0]; }) ? fmt(values[0]) : values.map(fmt).join(" × ");
      };
      return head + ": size " + show("size") + ", effective stride " + show("stride") + ", effective padding " + show("padding") +
        " (input pixels, along each " + words.join(", ") + ").";
    }
    var fields = range(stack.rank).map(function (a) { return receptiveCells(maps.map(function (m) { return m[a]; }), view.layer, view.cell[a])[0].cells; });
    return head + ": a transposed layer lies below it, so the recurrence does not apply; in the input it holds " +
      fmt(product(fields.map(function (f) { return f.size; }))) + " cells: " +
      fields.map(function (f, a) { return describeSet(f, words[a]); }).join(", ") + ".";
  };

  // For tests and the benchmark: the scene as plain arrays (what the twin computes).
  function plainScene(stack, view) {
    return scene(stack, view).map(function (tensor) {
      return { t: tensor.t, axes: tensor.axes.map(function (x) {
        return { field: sorted(x.field), padding: sorted(x.padding), before: x.before, after: x.after,
          writes: x.writes ? Array.from(x.writes) : null, frame: x.frame, focus: x.focus == null ? null : x.focus };
      }) };
    });
  }

  function init() {
    var root = document.getElementById("cx-app"), calcRoot = document.getElementById("cc-app");
    if (!root || !calcRoot || !calcRoot.calculator || root.dataset.ready) return;
    el = calcRoot.calculator.helpers.el;
    fmt = function (n) { return calcRoot.calculator.helpers.fmt(BigInt(n)); };
    var explorer = new Explorer(root, calcRoot.calculator);
    calcRoot.addEventListener("cc:update", function () { if (root.isConnected) explorer.render(); });
    // the canvas colours are the palette's: draw again when the reader switches it
    new MutationObserver(function () { explorer.render(); }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    window.convExplorer = { explorer: explorer, classes: CLASSES, scene: function () { return plainScene(explorer.stack, explorer.view); } };
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
})();
