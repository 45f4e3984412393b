"""Gap junctions: electrical coupling between membrane potentials."""

import equinox as eqx
import jax.numpy as jnp

from ._custom_types import Array, ArrayLike, Float
from .connect import OutDegreeTable
from .connect._table import check_weight
from .projections import AbstractProjection


class GapJunction(AbstractProjection):
    """Electrical synapses: a current proportional to the potential difference.

    Every synapse `i -> k` of the table carries the current

    `I_k = sum_i g_ik (V_i - V_k)`      (nS x mV = pA)

    into post neuron `k`, computed each step from the potentials at the start of
    the step (the currents are held over the step, like the other inputs of a
    [`brainox.Network`][]). A synapse acts on its post neuron only; a gap
    junction is symmetric, so

    - within one population (`pre == post`), use a symmetric table (`k` in row
      `i` whenever `i` is in row `k`) with symmetric conductances: each pair then
      exchanges equal and opposite currents and the total current is zero
      (charge is conserved);
    - between two populations, add a second `GapJunction` in the other direction
      with the transposed table.

    There are no spikes and no kinetics: `deliver` does nothing and the state is
    the neurons' own. Built-in neurons take their input in pA; for a neuron
    whose input has another unit, scale `g` accordingly.

    Two identical passive LIF neurons (`tau`, `R`) coupled by `g` relax with
    their mean decaying at `1 / tau` and their difference at
    `(1 + 2 g R 1e-3) / tau` (`g R` in nS x MOhm = 1e-3).

    **Arguments:**

    - `pre`, `post`: names of the populations in the [`brainox.Network`][] (the
      same name for coupling within a population).
    - `connectivity`: a [`brainox.connect.OutDegreeTable`][] from `pre` to
      `post`.
    - `g`: the coupling conductance (nS): a scalar or one value per synapse (the
      table's shape), a trainable parameter.

    ??? cite "Reference"
        Bennett, M. V. L. & Zukin, R. S. (2004). Electrical coupling and neuronal
        synchronization in the mammalian brain. Neuron 41, 495-511.

    !!! example
        ```python
        # a ring of 100 neurons, each coupled to both neighbours (symmetric)
        i = jnp.arange(100)
        table = bx.connect.OutDegreeTable(
            jnp.sort(jnp.stack([(i - 1) % 100, (i + 1) % 100], axis=1), axis=1),
            n_post=100)
        net = bx.Network(
            populations={"inh": bx.LIF(100)},
            projections={"gap": bx.GapJunction("inh", "inh", table, g=1.0)},
        )
        ```
    """

    pre: str = eqx.field(static=True)
    post: str = eqx.field(static=True)
    connectivity: OutDegreeTable
    g: Array

    def __init__(self, pre: str, post: str, connectivity: OutDegreeTable, g: ArrayLike):
        self.pre, self.post = str(pre), str(post)
        if not isinstance(connectivity, OutDegreeTable):
            raise TypeError(
                "`connectivity` must be a bx.connect.OutDegreeTable (a stored "
                f"table: gap junctions read every synapse each step), got "
                f"{type(connectivity).__name__}."
            )
        self.connectivity = connectivity
        self.g = check_weight(connectivity, g)

    def deliver(self, pre) -> tuple["GapJunction", None]:
        """Nothing to deliver: gap junctions carry no spikes."""
        return self, None

    def current(self, pre, post) -> Float[Array, " n_post"]:
        """`I_k = sum_i g_ik (V_i - V_k)` (pA) from the two populations' potentials."""
        table = self.connectivity
        V_pre, V_post = pre.voltage, post.voltage
        if V_pre.shape != (table.n_pre,) or V_post.shape != (table.n_post,):
            raise ValueError(
                f"gap junction {self.pre!r} -> {self.post!r}: the populations have "
                f"{V_pre.shape[-1]} and {V_post.shape[-1]} neurons but the table is "
                f"{table.n_pre} -> {table.n_post}."
            )
        # Per synapse V_i - V_k (the padding index n_post reads 0 and is dropped
        # again by the scatter), so nearby potentials do not cancel in float.
        V_target = V_post.at[table.indices].get(mode="fill", fill_value=0)
        flow = self.g * (V_pre[:, None] - V_target)
        out = jnp.zeros(table.n_post, flow.dtype)
        return out.at[table.indices].add(flow, mode="drop")
