"""The layer calculator's arithmetic in Python, by calls to ``snippets``, and random stacks.

``docs/assets/calculator/calculator.js`` computes a stack of layers in the browser; the
browser tests (tests/test_browser.py) enter the stacks of :func:`random_states` into it and
compare every figure it shows with :func:`expected`, which gets them from ``snippets``
(conv_output_shape, pool_output_shape, transposed_output_shape, count_conv_params,
depthwise_params, separable_params, the *_macs functions, conv_geometry, pool_geometry and
receptive_fields). What each framework refuses, and with which message, is
``snippets.frameworks``' (check_layer, layer_class, accepts_padding): this module only reads
the form's texts, calls those functions and formats what they return.

A state is what the calculator's URL holds: ``{"mode", "rank", "input": [*sizes, c],
"layers": [{"kind", "v": {key: text}}]}`` with every value the text of a form field; the
rank (1, 2 or 3 spatial axes: L | H, W | D, H, W) is 2 when missing, as in old addresses.
"""

from __future__ import annotations

import random
import re
from urllib.parse import quote

from snippets import (
    conv_macs,
    conv_output_shape,
    count_conv_params,
    depthwise_macs,
    depthwise_params,
    receptive_fields,
    separable_macs,
    separable_params,
    transposed_macs,
    transposed_output_shape,
)
from snippets._validate import AXES, RANKS, check_int
from snippets.cells import layer_maps
from snippets.frameworks import Refusal, accepts_padding, check_layer, layer_class
from snippets.pooling import pool_output_shape
from snippets.receptive import conv_geometry, pool_geometry

NAMES = {
    "f": "filters",
    "k": "kernel_size",
    "s": "stride",
    "p": "padding",
    "d": "dilation",
    "g": "groups",
    "m": "depth_multiplier",
    "op": "output_padding",
    "pm": "padding_mode",
}
#: The input fields' keys and names per rank (the spatial axes, then the channels).
INPUT_KEYS = {1: "lc", 2: "hwc", 3: "dhwc"}
INPUT_NAMES = {rank: (*AXES[rank], "channels") for rank in RANKS}
CONV = {
    "f": "64",
    "k": "3",
    "s": "1",
    "p": "same",
    "d": "1",
    "g": "1",
    "m": "1",
    "op": "",
    "pm": "zeros",
    "b": "1",
}
POOL = {"k": "2", "s": "", "p": "valid"}
FIELDS = {
    "conv": ["f", "k", "s", "p", "pm", "d", "g", "b"],
    "depthwise": ["k", "s", "p", "pm", "d", "m", "b"],
    "separable": ["f", "k", "s", "p", "d", "m", "b"],
    "transposed": ["f", "k", "s", "p", "pm", "d", "op", "b"],
    "maxpool": ["k", "s", "p"],
    "avgpool": ["k", "s", "p"],
}
DEFAULTS = {
    kind: {key: (POOL if kind.endswith("pool") else CONV)[key] for key in keys}
    for kind, keys in FIELDS.items()
}
DEFAULTS["transposed"].update(s="2")
# The same defaults in PyTorch's spelling (PyTorch pools and transposed layers take numbers):
# pooling 'valid' is 0; a 3x3 stride-2 transposed 'same' (2n) is padding 1 + output padding 1.
MODE_DEFAULTS = {
    "keras": DEFAULTS,
    "pytorch": {
        kind: {
            **v,
            **{"maxpool": {"p": "0"}, "avgpool": {"p": "0"}, "transposed": {"p": "1", "op": "1"}}.get(
                kind, {}
            ),
        }
        for kind, v in DEFAULTS.items()
    },
}
MODES = {"keras": "Keras", "pytorch": "PyTorch"}
SEARCH_LIMIT = 256  # the largest padding (and output padding) a mode switch tries
INT = re.compile(r"[ \t\n]*[+-]?[0-9]+[ \t\n]*")
DASH = "—"


class Invalid(ValueError):
    """A field's value is refused: ``key`` is the field the message goes beside."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def parse_int(key: str, name: str, text: str, minimum: int = 1) -> int:
    """The field's integer, checked by snippets' ``check_int`` (text that is not an integer
    is passed as the string, so the message shows it quoted)."""
    value = int(text) if INT.fullmatch(text) else text
    try:
        return check_int(name, value, minimum)
    except (TypeError, ValueError) as error:
        raise Invalid(key, str(error)) from None


def parse_padding(text: str, rank: int = 2) -> str | int:
    """A padding field: a word ('causal' is read in every rank, so that snippets refuses it
    outside 1-D with its own message) or an int >= 0."""
    word = text.strip().lower()
    if word in ("valid", "same", "causal"):
        return word
    if INT.fullmatch(text) and int(text) >= 0:
        return int(text)
    shown = str(int(text)) if INT.fullmatch(text) else repr(text)
    words = "'valid', 'same', 'causal'" if rank == 1 else "'valid', 'same'"
    raise Invalid("p", f"padding must be {words} or an int >= 0, got {shown}")


def parse_layer(kind: str, values: dict[str, str], rank: int = 2) -> tuple[dict, list[Invalid]]:
    """Every field of one layer, each checked on its own, in the form's order (the padding
    mode is kept as typed: snippets checks it)."""
    args: dict = {"bias": values.get("b", "1") != "0", "d": 1, "pm": "zeros"}
    errors = []
    for key in FIELDS[kind]:
        text = values[key]
        try:
            if key == "b":
                continue
            if key == "p":
                args["p"] = parse_padding(text, rank)
            elif key == "pm":
                args["pm"] = text
            elif key == "op":
                args["op"] = None if text.strip() == "" else parse_int(key, NAMES[key], text, 0)
            elif key == "s" and kind.endswith("pool") and text.strip() == "":
                args["s"] = None
            else:
                args[key] = parse_int(key, NAMES[key], text)
        except Invalid as error:
            errors.append(error)
    if args.get("s", 0) is None:
        args["s"] = args.get("k")
    return args, errors


def error_key(message: str) -> str:
    """The field beside which the calculator shows an error raised by snippets."""
    for prefix, key in [
        ("kernel_size must fit", "k"),
        ("pool_size must fit", "k"),
        ("groups must divide", "g"),
        ("output_padding", "op"),
        ("stride and dilation cannot both", "d"),
        ("padding_mode", "pm"),
        ("padding", "p"),
    ]:
        if message.startswith(prefix):
            return key
    raise AssertionError(f"no field for {message!r}")


KEYS = {name: key for key, name in NAMES.items()}  # argument name -> the form's field


def refused(error: ValueError) -> Invalid:
    """A refusal of snippets as the calculator shows it: beside the field of the argument a
    framework rule names (:class:`snippets.frameworks.Refusal`), else the one the message starts with."""
    if isinstance(error, Refusal):
        return Invalid(KEYS.get(error.argument), error.message)
    return Invalid(error_key(str(error)), str(error))


def snippets_layer(kind: str) -> str:
    """Whose rules snippets applies (``layer=``): Keras' DepthwiseConv and SeparableConv
    accept stride with dilation and refuse 'causal'; the others follow its Conv layers."""
    return kind if kind in ("depthwise", "separable") else "conv"


def layer(mode: str, kind: str, a: dict, shape: tuple[int, ...]) -> dict:
    """One valid-looking layer through snippets: shape, params, MACs, geometry; or Invalid."""
    rank, c = len(shape) - 1, shape[-1]
    k, s, d, b, pm, rule = a["k"], a["s"], a["d"], a["bias"], a["pm"], snippets_layer(kind)
    geometry = None
    try:
        p = check_layer(mode, kind, rank, a["p"], kernel_size=k, stride=s, padding_mode=pm)
        if kind == "conv":
            params = count_conv_params(c, a["f"], k, b, groups=a["g"], rank=rank)
            out = conv_output_shape(shape, a["f"], k, s, p, dilation=d, padding_mode=pm)
            macs = conv_macs(shape, a["f"], k, s, p, dilation=d, groups=a["g"])
        elif kind == "depthwise":
            params = depthwise_params(c, k, depth_multiplier=a["m"], use_bias=b, rank=rank)
            out = conv_output_shape(shape, c * a["m"], k, s, p, dilation=d, padding_mode=pm, layer=rule)
            macs = depthwise_macs(shape, k, s, p, dilation=d, depth_multiplier=a["m"])
        elif kind == "separable":
            params = separable_params(c, a["f"], k, depth_multiplier=a["m"], use_bias=b, rank=rank)
            out = conv_output_shape(shape, a["f"], k, s, p, dilation=d, layer=rule)
            macs = separable_macs(shape, a["f"], k, s, p, dilation=d, depth_multiplier=a["m"])
        elif kind == "transposed":
            params = count_conv_params(c, a["f"], k, b, rank=rank)
            out = transposed_output_shape(shape, a["f"], k, s, p, output_padding=a["op"], dilation=d)
            macs = transposed_macs(shape, a["f"], k, s, p, output_padding=a["op"], dilation=d)
            maps = layer_maps("transposed", shape, out, k, s, p, dilation=d)
        else:
            params, macs = 0, 0
            out = pool_output_shape(shape, k, s, p)
            geometry = pool_geometry(shape, k, s, p)
            maps = layer_maps("pool", shape, out, k, s, p)
        if kind in ("conv", "depthwise", "separable"):
            geometry = conv_geometry(shape, k, s, p, dilation=d, layer=rule)
            maps = layer_maps(rule, shape, out, k, s, p, dilation=d)
    except ValueError as error:
        raise refused(error) from None
    return {"shape": out, "params": params, "macs": macs, "geometry": geometry, "maps": maps}


def fmt(n: int) -> str:
    """Every figure the calculator shows groups thousands with a comma: 1,936,392,192."""
    return f"{n:,}"


def fmt_shape(shape: tuple[int, ...]) -> str:
    """A shape by the same rule as every other figure: 1,024 × 1,024 × 64."""
    return " × ".join(map(fmt, shape))


def fmt_axes(values: tuple[int, ...]) -> str:
    """A receptive field or stride, one per axis: one figure when every axis has it (a kernel
    the same on every axis gives that), else one per axis."""
    return fmt(values[0]) if len(set(values)) == 1 else fmt_shape(values)


def evaluate(state: dict, mode: str) -> dict:
    """Rows as the calculator shows them (texts), the totals and the message of every bad field."""
    rank = state.get("rank", 2)
    field_errors: dict[str, str] = {}
    values = []
    for key, name, text in zip(INPUT_KEYS[rank], INPUT_NAMES[rank], state["input"], strict=True):
        try:
            values.append(parse_int(key, name, text))
        except Invalid as error:
            field_errors[f"cc-in-{key}"] = error.message
    shape = tuple(values) if len(values) == rank + 1 else None
    bad = None if shape else "the input shape"
    rows, geometries, params, macs, transposed_at = [], [], 0, 0, 0
    for n, spec in enumerate(state["layers"], 1):
        args, errors = parse_layer(spec["kind"], spec["v"], rank)
        for error in errors:
            field_errors[f"cc-l{n}-{error.key}"] = error.message
        row = {"result": None, "error": None, "blocked": None, "input": None if bad else shape}
        if bad:
            row["blocked"] = f"needs a valid output from {bad}"
        else:
            try:
                if errors:
                    raise errors[0]
                result = layer(mode, spec["kind"], args, shape)
            except Invalid as error:
                row["error"] = error
                if error.key:
                    field_errors[f"cc-l{n}-{error.key}"] = error.message
                bad = f"layer {n}"
            else:
                row["result"] = result
                shape = result["shape"]
                params += result["params"]
                macs += result["macs"]
                if result["geometry"] and not transposed_at:
                    geometries.append(result["geometry"])
                    row["field"] = receptive_fields(geometries)[-1]
                elif not transposed_at:
                    transposed_at = n
        rows.append(row)
    if bad:
        total = {"blocked": f"fix {bad} first"}
    else:
        fields = receptive_fields(geometries)
        last = fields[-1] if fields else None
        total = {
            "shape": fmt_shape(shape),
            "params": fmt(params),
            "macs": fmt(macs),
            "field": DASH if transposed_at else fmt_axes(last.size if last else (1,)),
            "stride": DASH if transposed_at else fmt_axes(last.stride if last else (1,)),
        }
    return {"rows": rows, "total": total, "field_errors": field_errors}


def expected(state: dict) -> dict:
    """What the calculator must show for ``state``: per row its cells, error and note on the
    other framework, the totals, and the message beside every bad field."""
    mode = state["mode"]
    other = "pytorch" if mode == "keras" else "keras"
    mine, theirs = evaluate(state, mode), evaluate(state, other)
    rows = []
    for row, alt in zip(mine["rows"], theirs["rows"], strict=True):
        result = row["result"]
        field = row.get("field")
        cells = {
            "shape": fmt_shape(result["shape"]) if result else DASH,
            "params": fmt(result["params"]) if result else DASH,
            "macs": fmt(result["macs"]) if result else DASH,
            "field": fmt_axes(field.size) if field else DASH,
            "stride": fmt_axes(field.stride) if field else DASH,
            "error": row["error"].message if row["error"] else None,
            "blocked": row["blocked"] is not None,
            "diff": None,
        }
        if (result or row["error"]) and (alt["result"] or alt["error"]):
            a = fmt_shape(result["shape"]) if result else f"refused: {row['error'].message}"
            b = fmt_shape(alt["result"]["shape"]) if alt["result"] else f"refused: {alt['error'].message}"
            if a != b:
                cells["diff"] = f"{MODES[other]}: {b}"
        rows.append(cells)
    return {"rows": rows, "total": mine["total"], "field_errors": mine["field_errors"]}


# ---------------------------------------------------------------- switching framework, changing type
def _unique(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def spellings(mode: str, kind: str, v: dict[str, str], a: dict) -> list[dict[str, str]]:
    """The (padding, output padding) texts that ``mode`` takes for the layer, nearest first:
    Keras 'valid' then 'same'; PyTorch numbers from 0 (up to k // 2 for pooling, up to the
    dilated kernel's span otherwise); an output padding as given, then blank, then each
    number the framework allows (below the stride in Keras, below max(stride, dilation) in
    PyTorch); none above SEARCH_LIMIT."""
    k, s, d = a["k"], a["s"], a["d"]
    if mode == "keras":
        paddings = ["valid", "same"]
        limit = s
    else:
        top = k // 2 if kind.endswith("pool") else d * (k - 1) + 1
        paddings = [str(p) for p in range(min(top, SEARCH_LIMIT) + 1)]
        limit = max(s, d)
    if kind != "transposed":
        return [{"p": p} for p in paddings]
    first = 0 if mode == "keras" else 1
    ops = _unique([v["op"], "", *(str(op) for op in range(first, min(limit, SEARCH_LIMIT + 1)))])
    return [{"p": p, "op": op} for p in paddings for op in ops]


def _show(key: str, text: str) -> str:
    """A field's value in a note: padding words quoted, numbers as numbers, blank as blank."""
    if text.strip() == "":
        return "blank"
    if key == "p":
        value = parse_padding(text, 1)
        return repr(value) if isinstance(value, str) else str(value)
    return str(int(text)) if INT.fullmatch(text) else repr(text)


def convert_layer(
    n: int, spec: dict, shape: tuple[int, ...] | None, source: str, target: str, rank: int = 2
) -> tuple[dict, str | None]:
    """The layer spelled for ``target``, giving the output shape it has in ``source`` on
    ``shape`` (its input), and the note on layer ``n`` that says what changed; unchanged (note None) when
    ``target`` takes the spelling as it is or a field does not parse. Without a result in
    ``source`` only the exact equivalence 'valid' = 0 of convolutions and pooling is used.
    ``rank`` is the number of spatial axes (that of ``shape`` when it is given)."""
    kind, v = spec["kind"], spec["v"]
    rank = len(shape) - 1 if shape else rank
    args, errors = parse_layer(kind, v, rank)
    if "p" not in args or any(e.key in ("k", "s", "d", "op") for e in errors):
        return spec, None
    if accepts_padding(target, kind, args["p"], args["s"]):
        return spec, None
    cls = layer_class(target, kind, rank)
    try:
        if errors or shape is None:
            raise Invalid("", "")
        out = layer(source, kind, args, shape)["shape"]
    except Invalid:
        out = None
    found = None
    if out is None:
        if kind != "transposed" and args["p"] in ("valid", 0):
            found = {"p": "0" if target == "pytorch" else "valid"}
    else:
        for candidate in spellings(target, kind, v, args):
            new_args, new_errors = parse_layer(kind, {**v, **candidate}, rank)
            try:
                if not new_errors and layer(target, kind, new_args, shape)["shape"] == out:
                    found = candidate
                    break
            except Invalid:
                pass
    if found is None:
        why = (
            f"no {MODES[target]} padding gives {fmt_shape(out)}"
            if out
            else f"no result in {MODES[source]} to match"
        )
        return spec, f"Layer {n} ({cls}): padding {_show('p', v['p'])} kept: {why}"
    changes = [
        f"{NAMES[key]} {_show(key, v[key])} → {_show(key, text)}"
        for key, text in found.items()
        if text != v[key]
    ]
    return {"kind": kind, "v": {**v, **found}}, f"Layer {n} ({cls}): " + ", ".join(changes)


def switch_mode(state: dict, target: str) -> tuple[dict, list[str]]:
    """The stack after the reader switches to ``target``: every layer in the nearest spelling
    ``target`` takes (same output shape), and the notes listing what was converted or kept."""
    source = state["mode"]
    rows = evaluate(state, source)["rows"]
    layers, notes = [], []
    for n, (spec, row) in enumerate(zip(state["layers"], rows, strict=True), 1):
        new, note = convert_layer(n, spec, row["input"], source, target, state.get("rank", 2))
        layers.append(new)
        if note:
            notes.append(note)
    return {**state, "mode": target, "layers": layers}, notes


def change_kind(state: dict, index: int, kind: str) -> dict:
    """The stack after layer ``index`` (from 0) becomes a ``kind``: each field the new type also
    has keeps the value the reader set (one that differs from the old type's default in the
    current framework's spelling, MODE_DEFAULTS), the others take the new type's default; then
    the layer is spelled for the current framework where it can be (convert_layer)."""
    old, mode = state["layers"][index], state["mode"]
    defaults = MODE_DEFAULTS[mode]
    v = dict(defaults[kind])
    for key in FIELDS[kind]:
        if key in FIELDS[old["kind"]] and old["v"][key] != defaults[old["kind"]][key]:
            v[key] = old["v"][key]
    layers = [*state["layers"]]
    layers[index] = {"kind": kind, "v": v}
    changed = {**state, "layers": layers}
    shape = evaluate(changed, mode)["rows"][index]["input"]
    other = "pytorch" if mode == "keras" else "keras"
    layers[index] = convert_layer(index + 1, layers[index], shape, other, mode, state.get("rank", 2))[0]
    return changed


def to_hash(state: dict) -> str:
    """The calculator's URL hash for ``state`` (only values that differ from the defaults)."""
    layers = []
    for spec in state["layers"]:
        changed = [
            f"{key}={quote(spec['v'][key], safe='')}"
            for key in FIELDS[spec["kind"]]
            if spec["v"][key] != DEFAULTS[spec["kind"]][key]
        ]
        layers.append(spec["kind"] + (":" + ",".join(changed) if changed else ""))
    size = ",".join(quote(v, safe="") for v in state["input"])
    rank = state.get("rank", 2)
    ranked = "" if rank == 2 else f"&rank={rank}"  # no rank is 2-D, as in the addresses before ranks
    return f"#mode={state['mode']}{ranked}&in={size}&l={';'.join(layers)}"


# ---------------------------------------------------------------- random stacks
BAD_TEXT = ["", "0", "-2", "2.5", "abc", " ", "1e3"]


def _text(rng: random.Random, choices: list[int], bad: float) -> str:
    if rng.random() < bad:
        return rng.choice(BAD_TEXT)
    return str(rng.choice(choices))


def random_layer(rng: random.Random, mode: str, channels: int, bad: float, rank: int = 2) -> dict:
    """One layer on ``channels`` input channels, mostly valid for ``mode`` in ``rank``
    dimensions: ``bad`` is the chance of each field holding a bad text. 1-D layers often
    take 'causal', PyTorch's convolutions often a padding mode other than zeros."""
    keras_3d = mode == "keras" and rank == 3  # Keras has no 3-D depthwise or separable layer
    kind = rng.choices(list(FIELDS), weights=[4, 0.2 if keras_3d else 2, 0.2 if keras_3d else 2, 2, 1, 1])[0]
    v = dict(DEFAULTS[kind])
    pool = kind.endswith("pool")
    k = rng.choice([2, 2, 3] if pool else [1, 2, 3, 3, 3, 4, 5, 7])
    v["k"] = _text(rng, [k], bad)
    v["s"] = _text(rng, [1, 1, 1, 2, 2, 3], bad)
    if pool and rng.random() < 0.4:
        v["s"] = ""
    numbers = [str(p) for p in range(k // 2 + 1)] if pool or kind == "transposed" else ["0", "1", "2", "3"]
    words = ["same", "valid"] + (["causal", "causal"] if rank == 1 and kind == "conv" else [])
    strings_first = mode == "keras" or (kind not in ("transposed",) and not pool and rng.random() < 0.5)
    v["p"] = rng.choice(words if strings_first else numbers)
    if rng.random() < 0.06:  # the other framework's kind of padding, or a bad one
        v["p"] = rng.choice(words + numbers + ["-1", "x", "causal"])
    if "pm" in v:
        if mode == "pytorch" and kind != "transposed" and rng.random() < 0.4:
            v["pm"] = rng.choice(["reflect", "replicate", "circular"])
        elif rng.random() < 0.04:  # refused: in Keras, in a transposed layer, or not a mode
            v["pm"] = rng.choice(["reflect", "circular", "Reflect", ""])
    if "f" in v:
        v["f"] = _text(rng, [1, 3, 8, 16, 24, 32, 64], bad)
    if "d" in v:
        v["d"] = _text(rng, [1] * 8 + [2, 3], bad)
        if v["d"] != "1" and mode == "keras" and kind in ("conv", "transposed") and rng.random() < 0.8:
            v["s"] = "1"
    if "g" in v:
        filters = int(v["f"]) if v["f"].isdigit() and int(v["f"]) else 1
        divisors = [g for g in (1, 2, 3, 4, 8) if channels % g == 0 and filters % g == 0]
        v["g"] = _text(rng, divisors * 3 + [2, 4], bad)
    if "m" in v:
        v["m"] = _text(rng, [1, 1, 2], bad)
    if "op" in v:
        v["op"] = rng.choice(["", "", "", "0", "1", "2"])
    if "b" in v:
        v["b"] = rng.choice(["1", "1", "0"])
    return {"kind": kind, "v": v}


def _channels_after(spec: dict, channels: int) -> int:
    v = spec["v"]
    if "f" in v and v["f"].isdigit() and int(v["f"]):
        return int(v["f"])
    if "m" in v and v["m"].isdigit() and int(v["m"]):
        return channels * int(v["m"])
    return channels


SIZES = {
    1: [[1, 2, 3, 5, 8, 13, 16, 50, 100, 400, 1000, 16000]],
    2: [[1, 2, 3, 5, 7, 8, 13, 16, 28, 32, 56, 64, 224]] * 2,
    3: [[1, 2, 3, 4, 8, 16], [1, 2, 3, 5, 8, 16, 32], [1, 2, 3, 5, 8, 16, 32]],
}


def random_state(rng: random.Random, bad: float = 0.02) -> dict:
    """A stack of 0 to 6 layers on a random input in 1, 2 or 3 dimensions (2-D half the time)."""
    rank = rng.choice([1, 2, 2, 3])
    sizes = [rng.choice(choices) for choices in SIZES[rank]]
    if rank > 1:  # the last two axes the same size, or not
        sizes[-1] = rng.choice([sizes[-2], sizes[-2] + 3])
    channels = rng.choice([1, 3, 4, 8, 12, 16, 64])
    mode = rng.choice(["keras", "pytorch"])
    state = {
        "mode": mode,
        "rank": rank,
        "input": [_text(rng, [size], bad) for size in sizes] + [_text(rng, [channels], bad)],
        "layers": [],
    }
    for _ in range(rng.choice([0, 1, 2, 3, 3, 4, 5, 6])):
        spec = random_layer(rng, mode, channels, bad, rank)
        state["layers"].append(spec)
        channels = _channels_after(spec, channels)
    return state


def random_states(count: int, seed: int = 20240611) -> list[dict]:
    """``count`` stacks from a fixed seed: valid and invalid ones, both semantics."""
    rng = random.Random(seed)
    return [random_state(rng) for _ in range(count)]


if __name__ == "__main__":
    states = random_states(400)
    valid = sum(not expected(s)["total"].get("blocked") for s in states)
    print(f"{len(states)} stacks, {valid} valid, {len(states) - valid} with an error")
    for state in states[:5]:
        print(to_hash(state), expected(state)["total"])


# ---------------------------------------------------------------- presets the tests check
def wav2vec_state() -> dict:
    """wav2vec 2.0's feature encoder (Baevski et al., 2020): seven Conv1d of 512 channels,
    kernels 10, 3, 3, 3, 3, 2, 2 and strides 5, 2, 2, 2, 2, 2, 2, no padding, no bias, on one
    second of 16 kHz audio."""
    layers = [
        {
            "kind": "conv",
            "v": {
                **MODE_DEFAULTS["pytorch"]["conv"],
                "f": "512",
                "k": str(k),
                "s": str(s),
                "p": "0",
                "b": "0",
            },
        }
        for k, s in zip((10, 3, 3, 3, 3, 2, 2), (5, 2, 2, 2, 2, 2, 2), strict=True)
    ]
    return {"mode": "pytorch", "rank": 1, "input": ["16000", "1"], "layers": layers}


def video_state() -> dict:
    """A small 3-D block on 16 frames of 112 x 112: two 3x3x3 'same' convolutions (64, 128
    filters), each followed by a 2x2x2 max pooling."""
    conv, pool = DEFAULTS["conv"], DEFAULTS["maxpool"]
    layers = [
        {"kind": "conv", "v": dict(conv)},
        {"kind": "maxpool", "v": dict(pool)},
        {"kind": "conv", "v": {**conv, "f": "128"}},
        {"kind": "maxpool", "v": dict(pool)},
    ]
    return {"mode": "keras", "rank": 3, "input": ["16", "112", "112", "3"], "layers": layers}


PRESET_STATES = {
    "wav2vec 2.0 feature encoder (1-D)": wav2vec_state,
    "Small 3-D video block (16 frames of 112×112)": video_state,
}
