"""Lazy import of the optional packages behind the `data` extra."""

import importlib
from types import ModuleType


def import_optional(module: str, package: str) -> ModuleType:
    """Import `module`, or explain which pip extra provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"this loader needs the package `{package}`: install it with "
            f"`pip install brainox[data]` (or `pip install {package}`)."
        ) from e
