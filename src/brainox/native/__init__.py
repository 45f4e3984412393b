"""Native steps: a model's whole step generated as one C++ loop (CPU)."""

from ._step import native_step as native_step
