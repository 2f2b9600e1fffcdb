"""Print the summary of a model: python -m snippets.summary package.module:factory --input 224,224,3

``factory`` is a function (or class) that returns the model when called without arguments,
or the model itself. ``--input`` is channels-last without the batch.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from snippets.summary import format_summary, summary


def load(target: str):
    """The object ``package.module:name`` names, called if it is a factory."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise SystemExit(f"target must be 'package.module:factory', got {target!r}")
    sys.path.insert(0, "")  # the current directory, as `python -m` users expect
    obj = getattr(importlib.import_module(module_name), attribute)
    for kind in ("torch.nn", "keras"):
        base = sys.modules.get(kind.split(".")[0])
        if base is not None and isinstance(obj, base.nn.Module if kind == "torch.nn" else base.layers.Layer):
            return obj
    return obj() if callable(obj) else obj


def parse_shape(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise SystemExit(f"--input must be comma-separated sizes such as 224,224,3, got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m snippets.summary", description=__doc__.splitlines()[0])
    parser.add_argument("target", help="package.module:factory returning a torch.nn.Module or a keras.Model")
    parser.add_argument(
        "--input", type=parse_shape, default=None, help="channels-last shape without the batch"
    )
    parser.add_argument("--depth", type=int, default=1, help="levels of nested blocks to list (default 1)")
    parser.add_argument(
        "--details", action="store_true", help="add non-trainable params, padding, kept bytes"
    )
    parser.add_argument("--keras-params", action="store_true", help="count BatchNorm statistics in Params")
    args = parser.parse_args(argv)
    result = summary(load(args.target), args.input)
    print(format_summary(result, depth=args.depth, keras_params=args.keras_params, details=args.details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
