"""Input encoders: turn a static input into a sequence over time (time first).

Each encoder takes one unbatched sample `x` of any shape and returns an array of
shape `(num_steps, *x.shape)`; batch with `jax.vmap`.
"""

import jax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, FloatLike
from .._validate import check_size


def _floats(x: ArrayLike) -> Array:
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.result_type(float))
    return x


def rate_encode(
    key: Array, x: ArrayLike, num_steps: int, *, gain: FloatLike = 1.0
) -> Array:
    """Rate (Poisson) coding: a spike at each step with probability `gain * x`.

    Each step and feature is an independent Bernoulli draw with `p = clip(gain x,
    0, 1)`, the discrete-time Poisson process of rate `p / dt` (snnTorch's
    `spikegen.rate`). Scale `x` to `[0, 1]` first (pixel intensities / 255).

    **Arguments:**

    - `key`: a `jax.random.key` (explicit: the same key gives the same spikes).
    - `x`: intensities, any shape.
    - `num_steps`: number of steps `T`.
    - `gain`: multiplies `x` before clipping (dimensionless).

    **Returns:** spikes (0.0/1.0) of shape `(T, *x.shape)`.

    !!! example
        ```python
        spikes = bx.nn.rate_encode(jax.random.key(0), image / 255.0, 25)
        ```
    """
    x = _floats(x)
    num_steps = check_size("num_steps", num_steps)
    p = jnp.broadcast_to(jnp.clip(gain * x, 0.0, 1.0), (num_steps, *x.shape))
    return jax.random.bernoulli(key, p).astype(x.dtype)


def _check_latency(threshold: float, tau: float) -> None:
    if not 0 < threshold < 1:
        raise ValueError(f"`threshold` must lie in (0, 1), got {threshold}.")
    if not tau > 0:
        raise ValueError(f"`tau` must be > 0 (steps), got {tau}.")


def latency_times(
    x: ArrayLike,
    num_steps: int,
    *,
    tau: float = 1.0,
    threshold: float = 0.01,
    linear: bool = False,
    normalize: bool = False,
    epsilon: float = 1e-7,
) -> Array:
    """Time-to-first-spike coding: the (fractional) spike step of each feature.

    Larger inputs fire earlier. Inputs are intensities in `[0, 1]`.

    - **log** (default): the time an RC circuit with time constant `tau` driven
      by a constant input `x` takes to charge from 0 to `threshold`,
      `t = tau ln(x / (x - threshold))`; inputs at or below the threshold are
      treated as `threshold + epsilon` (they fire last). With `normalize`, times
      are scaled so the latest is `T - 1`.
    - **linear**: `t = tau (1 - x)`, capped at `tau (1 - threshold)`; with
      `normalize`, `tau = T - 1`, so `x = 1` fires at step 0 and `x = 0` at
      `T - 1`.

    These are the conventions of snnTorch's `spikegen.latency_code`, except that
    `normalize` scales by the latest time of this sample (snnTorch: of the whole
    batch). Latency codes are the input of the tempotron (Gütig & Sompolinsky
    2006).

    **Arguments:**

    - `x`: intensities in `[0, 1]`, any shape.
    - `num_steps`: number of steps `T`.
    - `tau`: time constant (steps; ms when `dt = 1 ms`).
    - `threshold`: in `(0, 1)`.
    - `linear`: linear instead of logarithmic code.
    - `normalize`: scale the times into `[0, T - 1]`.
    - `epsilon`: floor above the threshold in the log code.

    **Returns:** spike times in steps, of the shape of `x`.

    ??? cite "Reference"
        Gütig, R. & Sompolinsky, H. (2006). The tempotron: a neuron that learns
        spike timing-based decisions. Nature Neuroscience 9(3), 420-428.
        Eshraghian, J. K. et al. (2023). Training spiking neural networks using
        lessons from deep learning. Proceedings of the IEEE 111(9), 1016-1054.

    !!! example
        ```python
        bx.nn.latency_times(jnp.array([0.0, 0.5, 1.0]), 5, linear=True,
                            normalize=True)   # [3.96, 2., 0.]: capped
        ```
    """
    x = _floats(x)
    num_steps = check_size("num_steps", num_steps)
    _check_latency(threshold, tau)
    if linear:
        tau = num_steps - 1 if normalize else tau
        return jnp.minimum(tau * (1 - x), tau * (1 - threshold))
    x = jnp.maximum(x, threshold + epsilon)
    times = tau * jnp.log(x / (x - threshold))
    if normalize:
        times = times * (num_steps - 1) / times.max()
    return times


def latency_encode(
    x: ArrayLike,
    num_steps: int,
    *,
    tau: float = 1.0,
    threshold: float = 0.01,
    linear: bool = False,
    normalize: bool = False,
    clip: bool = False,
) -> Array:
    """Time-to-first-spike coding: one spike per feature, at its latency.

    Each feature spikes once, at step `round(t)` with `t` from
    [`brainox.nn.latency_times`][] (same arguments); a spike that would fall after
    step `T - 1` is dropped, and with `clip` features below `threshold` do not
    spike at all (snnTorch's `spikegen.latency`).

    **Returns:** spikes (0.0/1.0) of shape `(T, *x.shape)`.

    !!! example
        ```python
        spikes = bx.nn.latency_encode(image / 255.0, 25, normalize=True, linear=True)
        ```
    """
    x = _floats(x)
    times = latency_times(
        x, num_steps, tau=tau, threshold=threshold, linear=linear, normalize=normalize
    )
    step = jnp.round(times)
    steps = jnp.arange(num_steps, dtype=x.dtype).reshape((-1,) + (1,) * x.ndim)
    spikes = steps == step[None]
    if clip:
        spikes = spikes & (x >= threshold)[None]
    return spikes.astype(x.dtype)


def current_encode(x: ArrayLike, num_steps: int) -> Array:
    """Direct (current) coding: the same input at every step.

    The first layer then sees a constant current and does the encoding itself
    (Rueckauer et al. 2017; the usual input of converted and directly trained
    SNNs).

    **Arguments:**

    - `x`: the input, any shape (in the unit the first layer expects).
    - `num_steps`: number of steps `T`.

    **Returns:** `x` repeated, shape `(T, *x.shape)`.

    ??? cite "Reference"
        Rueckauer, B., Lungu, I.-A., Hu, Y., Pfeiffer, M. & Liu, S.-C. (2017).
        Conversion of continuous-valued deep networks to efficient event-driven
        networks for image classification. Frontiers in Neuroscience 11, 682.

    !!! example
        ```python
        xs = bx.nn.current_encode(image / 255.0, 25)   # (25, 28, 28)
        ```
    """
    x = _floats(x)
    num_steps = check_size("num_steps", num_steps)
    return jnp.broadcast_to(x, (num_steps, *x.shape))
