"""Tsodyks-Markram short-term plasticity: depression and facilitation per pre neuron."""

import diffrax
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from .._custom_types import Array, FloatLike
from .._solvers.exponential_euler import ExponentialEuler
from .._state import Hidden
from .._validate import as_param, check_size
from ._base import AbstractPresynaptic


class TsodyksMarkram(AbstractPresynaptic):
    """Short-term depression and facilitation (Tsodyks & Markram), per pre neuron.

    Each presynaptic neuron has a utilisation `u` and a fraction `x` of available
    resources, shared by all its synapses. Between spikes

    ```
    du/dt = -u / tau_F            (u relaxes to 0)
    dx/dt = (1 - x) / tau_D       (x recovers to 1)
    ```

    and at a spike, in this order: `u += U (1 - u)`; the spike's efficacy is
    `u x`; then `x -= u x`. A projection multiplies the weights of the spike by
    its efficacy, so the post-synaptic increment is `w u x`. With `tau_F = 0`
    there is no facilitation: `u = U` at every spike (and `u` keeps the value `U`
    between spikes, as in NEST).

    For spikes `n` and `n + 1` separated by `dt_n` ms, with `u_n`, `x_n` the
    values used for spike `n` (its efficacy is `u_n x_n`):

    ```
    u_{n+1} = U + u_n (1 - U) exp(-dt_n / tau_F)
    x_{n+1} = 1 + (x_n - u_n x_n - 1) exp(-dt_n / tau_D)
    ```

    Depressing example (`U = 0.5`, `tau_D = 800` ms, `tau_F = 0`) at 20 Hz: the
    second response is 0.53029 of the first and `x` tends to 0.114252.

    Both equations are linear, so the default solver
    ([`brainox.ExponentialEuler`][]) is exact for any step. The state lives on
    the presynaptic side (`n` = the number of presynaptic neurons); pass it as
    the `presynaptic` of a [`brainox.Projection`][], which applies it before the
    delay.

    **Arguments:**

    - `n`: number of presynaptic neurons.
    - `U`: utilisation increment at a spike (dimensionless, in (0, 1]),
      default 0.5.
    - `tau_F`: facilitation time constant (ms, >= 0; 0 means no facilitation),
      default 0.
    - `tau_D`: recovery (depression) time constant (ms, > 0), default 800.
    - `solver`: any diffrax solver (default [`brainox.ExponentialEuler`][]).
    - `dtype`: floating dtype of the parameters and the states.

    Each parameter may be a scalar or one value per presynaptic neuron.

    ??? cite "Reference"
        Tsodyks, M. V. & Markram, H. (1997). The neural code between neocortical
        pyramidal neurons depends on neurotransmitter release probability. PNAS
        94, 719-723. Tsodyks, M., Pawelzik, K. & Markram, H. (1998). Neural
        networks with dynamic synapses. Neural Comput. 10, 821-835.

    !!! example
        ```python
        stp = bx.synapses.TsodyksMarkram(800, U=0.5, tau_D=800.0)      # depressing
        proj = bx.Projection("pre", "post", table, weight=5.0,          # nS
                             synapse=bx.synapses.Exponential(1000, tau=5.0),
                             output=bx.outputs.COBA(E=0.0), presynaptic=stp)
        efficacy, stp = stp.on_spikes(spikes)    # what the projection does
        ```
    """

    u: Hidden
    x: Hidden
    U: Array
    tau_F: Array
    tau_D: Array
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        U: FloatLike = 0.5,
        tau_F: FloatLike = 0.0,
        tau_D: FloatLike = 800.0,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.U = as_param("U", U, n, dtype, positive=True)
        if not isinstance(self.U, Tracer) and not (np.asarray(self.U) <= 1).all():
            raise ValueError(
                f"`U` must be in (0, 1], got max {np.asarray(self.U).max()}; it is "
                "the fraction of the available resources a spike uses."
            )
        self.tau_F = as_param("tau_F", tau_F, n, dtype, nonnegative=True)
        self.tau_D = as_param("tau_D", tau_D, n, dtype, positive=True)
        self.u = Hidden(jnp.zeros(n, dtype))
        self.x = Hidden(jnp.ones(n, dtype))
        self.solver = ExponentialEuler() if solver is None else solver

    def _facilitates(self) -> Array:
        return self.tau_F > 0

    def vector_field(self, t, y, args):
        """`du/dt = -u / tau_F` (0 where `tau_F = 0`), `dx/dt = (1 - x) / tau_D`."""
        facilitates = self._facilitates()
        rate_F = jnp.where(facilitates, 1 / jnp.where(facilitates, self.tau_F, 1), 0)
        return {"u": y["u"] * -rate_F, "x": (1 - y["x"]) * (1 / self.tau_D)}

    def on_spikes(self, spikes: Array) -> tuple[Array, "TsodyksMarkram"]:
        """Apply this step's presynaptic spikes.

        **Arguments:**

        - `spikes`: one value per presynaptic neuron: 1.0 for a spike and 0.0
          otherwise; values between scale the update linearly (so surrogate
          gradients flow through it); a count `c > 1` (several spikes in one
          step, as from `SpikeGenerator(allow_multiple=True)`) acts as `c`
          spikes in a row: `x` falls by `(1 - U)^c` without facilitation, by
          `(1 - u)^c (1 - U)^(c (c + 1) / 2)` with it (`u` the value before the
          spikes), and `u` rises to `1 - (1 - U)^c (1 - u)`.

        **Returns:** `(efficacy, stp)`: the summed efficacy of each neuron's
        spikes (`u x` for one spike; 0 where no spike) and the state after them.
        """
        s = jnp.asarray(spikes)
        u, x = self.u.value, self.x.value
        if s.shape != u.shape:
            raise ValueError(
                f"`spikes` has shape {s.shape}; expected {u.shape}, one value per "
                "presynaptic neuron."
            )
        s = s.astype(u.dtype)
        facilitates = self._facilitates()
        before = jnp.where(facilitates, u, 0)
        u_one = u + s * (self.U + (1 - self.U) * before - u)
        x_one = x - s * u_one * x
        # Several spikes at once: the single-spike update repeated c times.
        c = jnp.maximum(s, 1)
        # (Bases kept above 0, so that no gradient meets 0 ** c.)
        tiny = jnp.finfo(u.dtype).tiny
        kept, unused = jnp.maximum(1 - self.U, tiny), jnp.maximum(1 - before, tiny)
        u_many = jnp.where(facilitates, 1 - kept**c * unused, self.U)
        x_many = x * jnp.where(
            facilitates, unused**c * kept ** (c * (c + 1) / 2), kept**c
        )
        burst = s > 1
        u = jnp.where(burst, u_many, u_one)
        x_after = jnp.where(burst, x_many, x_one)
        return x - x_after, self.with_states(u=u, x=x_after)
