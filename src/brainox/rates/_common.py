"""Shared by the rate models: reading the external input from `args`."""

from typing import Any

from .._custom_types import Array, PyTree
from .._validate import check_input_shape


def split_input(
    args: PyTree, keys: tuple[str, ...], model: str, like: Array
) -> dict[str, Any]:
    """The external input to each variable, from a model's `args`.

    `args` is `None` (no input), a dict with some of `keys` (missing keys get 0),
    or an array, which goes to the first key. Each input must broadcast onto
    `like` (a state of the model), else a `ValueError` names it.
    """
    if args is None:
        return dict.fromkeys(keys, 0.0)
    if isinstance(args, dict):
        unknown = sorted(set(args) - set(keys))
        if unknown:
            raise ValueError(
                f"{model} input has keys {unknown}; expected a dict with some of "
                f"{list(keys)}, or an array for {keys[0]!r}."
            )
        inputs = {k: args.get(k, 0.0) for k in keys}
    else:
        inputs = {keys[0]: args, **dict.fromkeys(keys[1:], 0.0)}
    for key, value in inputs.items():
        check_input_shape(f"{model} ({key!r})", value, like)
    return inputs
