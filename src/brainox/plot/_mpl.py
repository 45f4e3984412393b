"""Lazy matplotlib: imported only when a plot is drawn."""

from typing import Any


def pyplot() -> Any:
    """`matplotlib.pyplot`, or an error naming the `plot` extra."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            "brainox.plot needs matplotlib: `pip install 'brainox[plot]'`."
        ) from e
    return plt


def axes(ax: Any = None) -> Any:
    """`ax`, or the axes of a new figure."""
    if ax is not None:
        return ax
    _, ax = pyplot().subplots()
    return ax
