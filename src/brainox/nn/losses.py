"""Losses for spiking outputs over time.

Every loss takes the outputs of a network over time with the time axis second to
last, `(..., T, C)` (spikes or membrane potentials of `C` output neurons), and
integer class labels of shape `(...)`, and returns the mean over the leading
(batch) axes. An unbatched sample `(T, C)` with a scalar label works as well.
"""

import equinox as eqx
import jax.numpy as jnp
import numpy as np
import optax
from jax.core import Tracer

from .._custom_types import Array, ArrayLike


def _check(outputs: ArrayLike, labels: ArrayLike, name: str) -> tuple[Array, Array]:
    outputs, labels = jnp.asarray(outputs), jnp.asarray(labels)
    if outputs.ndim < 2 or labels.shape != outputs.shape[:-2]:
        raise ValueError(
            f"`{name}` must have shape (..., T, C) and `labels` shape (...); got "
            f"{name} {outputs.shape} and labels {labels.shape}. Outputs from "
            "`jax.vmap` over `bx.nn.run` are (B, T, C) with labels (B,)."
        )
    if not jnp.issubdtype(labels.dtype, jnp.integer):
        raise TypeError(
            f"`labels` must be integer class indices, got dtype {labels.dtype}."
        )
    n_classes = outputs.shape[-1]
    if isinstance(labels, Tracer):
        outside = (labels < 0) | (labels >= n_classes)
        message = f"`labels` must lie in [0, {n_classes})."
        outputs = jnp.asarray(eqx.error_if(outputs, jnp.any(outside), message))
        return outputs, labels
    # Concrete labels (also closed over inside jit) are checked on the host.
    host = np.asarray(labels)
    outside = (host < 0) | (host >= n_classes)
    if outside.any():
        bad = int(host[outside].flat[0])
        raise ValueError(
            f"`labels` holds {bad}, outside [0, {n_classes}): one index per "
            f"example among the {n_classes} classes (the last axis of `{name}`)."
        )
    return outputs, labels


def _cross_entropy(scores: Array, labels: Array) -> Array:
    return optax.losses.softmax_cross_entropy_with_integer_labels(scores, labels).mean()


def spike_count_cross_entropy(spikes: ArrayLike, labels: ArrayLike) -> Array:
    """Cross-entropy of the softmax over output spike counts.

    The logits are the number of spikes of each output neuron over the `T` steps
    (snnTorch's `ce_count_loss`), so the correct class learns to fire most.

    **Arguments:**

    - `spikes`: output spikes `(..., T, C)`.
    - `labels`: class indices `(...)`.

    **Returns:** the mean cross-entropy (nats).

    !!! example
        ```python
        loss = bx.nn.spike_count_cross_entropy(spikes, labels)  # (B, T, C), (B,)
        ```
    """
    spikes, labels = _check(spikes, labels, "spikes")
    return _cross_entropy(spikes.sum(axis=-2), labels)


def rate_cross_entropy(spikes: ArrayLike, labels: ArrayLike) -> Array:
    """Cross-entropy applied to the output spikes at every step, averaged over time.

    At each step the logits are that step's spikes (snnTorch's `ce_rate_loss`),
    which pushes the correct neuron to fire at every step and the others to stay
    silent.

    **Arguments:** as for [`brainox.nn.spike_count_cross_entropy`][].

    **Returns:** the mean over time and batch of the cross-entropy (nats).

    !!! example
        ```python
        loss = bx.nn.rate_cross_entropy(spikes, labels)
        ```
    """
    spikes, labels = _check(spikes, labels, "spikes")
    per_step = jnp.broadcast_to(labels[..., None], spikes.shape[:-1])
    return _cross_entropy(spikes, per_step)


def first_spike_time(spikes: ArrayLike) -> Array:
    """The step of each neuron's first spike, differentiable through the spikes.

    `t_first = sum_t prod_{s <= t} (1 - spike[s])`: the number of steps before
    the first spike (`0` for a spike at the first step, `T` for no spike). With
    0/1 spikes this is exactly the index of the first spike. Its derivative with
    respect to the spike at a step `k` before the first spike is `-(t_first - k)`
    (so surrogate gradients move spikes earlier), and with respect to the first
    spike itself `-(t_next - k)`, with `t_next` the next spike (or `T`).

    **Arguments:**

    - `spikes`: `(..., T, C)`.

    **Returns:** first-spike steps `(..., C)` (multiply by `dt` for ms).

    !!! example
        ```python
        bx.nn.first_spike_time(jnp.array([[0.0], [1.0], [1.0]]))   # [1.]
        ```
    """
    spikes = jnp.asarray(spikes)
    if spikes.ndim < 2:
        raise ValueError(f"`spikes` must have shape (..., T, C), got {spikes.shape}.")
    return jnp.cumprod(1 - spikes, axis=-2).sum(axis=-2)


def first_spike_time_cross_entropy(spikes: ArrayLike, labels: ArrayLike) -> Array:
    """Cross-entropy of the negated first-spike times: the correct neuron fires first.

    The logits are `-t_first` (snnTorch's `ce_temporal_loss` with its default
    `"negate"` inversion), with `t_first` from [`brainox.nn.first_spike_time`][];
    a neuron that never fires counts as firing at step `T`.

    **Arguments:** as for [`brainox.nn.spike_count_cross_entropy`][].

    **Returns:** the mean cross-entropy (nats).

    ??? cite "Reference"
        Eshraghian, J. K. et al. (2023). Training spiking neural networks using
        lessons from deep learning. Proceedings of the IEEE 111(9), 1016-1054.

    !!! example
        ```python
        loss = bx.nn.first_spike_time_cross_entropy(spikes, labels)
        ```
    """
    spikes, labels = _check(spikes, labels, "spikes")
    return _cross_entropy(-first_spike_time(spikes), labels)


def reduce_membrane(V: Array, reduce: str) -> Array:
    """The class scores from a membrane trace `(..., T, C)`: max or mean over time."""
    if reduce == "max":
        return V.max(axis=-2)
    if reduce == "mean":
        return V.mean(axis=-2)
    raise ValueError(f"`reduce` must be 'max' or 'mean', got {reduce!r}.")


def membrane_cross_entropy(
    V: ArrayLike, labels: ArrayLike, reduce: str = "max"
) -> Array:
    """Cross-entropy of a non-spiking readout's potential, reduced over time.

    The logits are the maximum (default) or the mean over time of the potential of
    [`brainox.nn.LI`][] output units (Zenke & Vogels 2021 use the maximum).

    **Arguments:**

    - `V`: readout potentials `(..., T, C)`.
    - `labels`: class indices `(...)`.
    - `reduce`: `"max"` or `"mean"` over time.

    **Returns:** the mean cross-entropy (nats).

    ??? cite "Reference"
        Zenke, F. & Vogels, T. P. (2021). The remarkable robustness of surrogate
        gradient learning for instilling complex function in spiking neural
        networks. Neural Computation 33(4), 899-925.

    !!! example
        ```python
        loss = bx.nn.membrane_cross_entropy(V, labels, reduce="max")
        ```
    """
    V, labels = _check(V, labels, "V")
    return _cross_entropy(reduce_membrane(V, reduce), labels)
