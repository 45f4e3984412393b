"""Classification accuracy from scores, spike counts or readout potentials."""

import jax.numpy as jnp

from .._custom_types import Array, ArrayLike
from .losses import reduce_membrane


def accuracy(scores: ArrayLike, labels: ArrayLike) -> Array:
    """The fraction of samples whose highest score is the label.

    Ties go to the lowest class index (`argmax`), so a silent output layer (all
    counts 0) predicts class 0.

    **Arguments:**

    - `scores`: `(..., C)`, one score per class.
    - `labels`: integer class indices `(...)`.

    **Returns:** the accuracy in `[0, 1]`.

    !!! example
        ```python
        bx.nn.accuracy(jnp.array([[0.1, 2.0], [3.0, 1.0]]), jnp.array([1, 1]))  # 0.5
        ```
    """
    scores, labels = jnp.asarray(scores), jnp.asarray(labels)
    if scores.ndim < 1 or labels.shape != scores.shape[:-1]:
        raise ValueError(
            f"`scores` must have shape (..., C) and `labels` shape (...); got "
            f"scores {scores.shape} and labels {labels.shape}."
        )
    return jnp.mean(jnp.argmax(scores, axis=-1) == labels)


def spike_count_accuracy(spikes: ArrayLike, labels: ArrayLike) -> Array:
    """Accuracy of the class that fired most: `spikes` `(..., T, C)`, `labels` `(...)`.

    !!! example
        ```python
        acc = bx.nn.spike_count_accuracy(spikes, labels)   # (B, T, C), (B,)
        ```
    """
    return accuracy(jnp.asarray(spikes).sum(axis=-2), labels)


def membrane_accuracy(V: ArrayLike, labels: ArrayLike, reduce: str = "max") -> Array:
    """Accuracy of a readout's potential `(..., T, C)` reduced over time (max or mean).

    !!! example
        ```python
        acc = bx.nn.membrane_accuracy(V, labels, reduce="max")
        ```
    """
    return accuracy(reduce_membrane(jnp.asarray(V), reduce), labels)
