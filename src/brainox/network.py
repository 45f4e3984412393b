"""Networks: populations and projections stepped together in a documented order."""

from collections.abc import Mapping
from typing import Any

import equinox as eqx

from ._custom_types import PyTree
from ._validate import check_input_shape
from .projections import AbstractProjection


class Network(eqx.Module):
    """A network of named populations coupled by named projections.

    One `step` of `dt` ms runs, in this order:

    1. **deliver**: every projection receives the spikes its presynaptic
       population emitted during the previous step (after its delay); delta
       synapses make the post potentials jump now;
    2. **currents**: every projection computes its current into its post
       population from the post membrane potentials at the start of the step;
       the currents onto one population are summed with its external input;
    3. **integrate**: projections (their synaptic kinetics) and populations are
       integrated over `[t, t + dt]`;
    4. **threshold -> spike -> reset -> refractoriness** inside each population's
       step, so the spikes of this step are in `population.spike`;
    5. **plasticity**: every projection's `plasticity_step` receives the spikes
       of this step of its pre and post populations (and `dt`) and updates its
       traces and weights (a no-op for a projection without plasticity). The
       new weights act from the next step's delivery on (Brian2's order:
       deliver, integrate, threshold, reset, plasticity).

    Populations are any neurons (or spike sources) with `step(input, dt)` and a
    `spike` state; projections are [`brainox.AbstractProjection`][]s naming their
    `pre` and `post` populations.

    **Arguments:**

    - `populations`: dict from name to population.
    - `projections`: dict from name to projection.

    The input `x` of `step` is `None` or a dict from population name to its
    external input (pA for built-in neurons), as given to
    [`brainox.simulate`][]'s `inputs`. A key may instead name a projection:
    that value is the projection's neuromodulator input of this step, passed
    to its plasticity in step 5 (the dopamine release of
    [`brainox.plasticity.RewardModulatedSTDP`][], uM).

    !!! example
        ```python
        net = bx.Network(
            populations={"exc": bx.LIF(3200), "inh": bx.LIF(800)},
            projections={"ee": bx.Projection("exc", "exc", table, 6.0, ...), ...},
        )
        net, rec = bx.simulate(net, 1000.0, dt=0.1,
                               inputs={"exc": lambda s, t: 200.0},
                               spikes={"exc": "populations.exc.spike"})
        ```
    """

    populations: dict[str, Any]
    projections: dict[str, AbstractProjection]

    def __init__(
        self,
        populations: Mapping[str, Any],
        projections: Mapping[str, AbstractProjection] | None = None,
    ):
        self.populations = dict(populations)
        self.projections = dict(projections or {})
        for name, proj in self.projections.items():
            for role in ("pre", "post"):
                target = getattr(proj, role)
                if target not in self.populations:
                    raise ValueError(
                        f"projection {name!r} names {role} population {target!r}, "
                        f"which is not in `populations` ({sorted(self.populations)})."
                    )

    def step(self, x: PyTree, dt: float) -> "Network":
        """One step of `dt` ms in the order above; `x` is `None` or a dict of inputs."""
        if not (x is None or isinstance(x, Mapping)):
            first = next(iter(self.populations))
            raise TypeError(
                f"a network's input is a dict from population names to inputs, "
                f"got {type(x).__name__}; pass e.g. `{{{first!r}: value}}` (in "
                "bx.simulate: `inputs={name: array or function}`)."
            )
        inputs = {} if x is None else dict(x)
        unknown = set(inputs) - set(self.populations) - set(self.projections)
        if unknown:
            raise ValueError(
                f"inputs name populations {sorted(unknown)} that are not in the "
                f"network ({sorted(self.populations)}), nor projections "
                f"({sorted(self.projections)}) that take a neuromodulator."
            )
        ambiguous = set(inputs) & set(self.populations) & set(self.projections)
        if ambiguous:
            raise ValueError(
                f"inputs name {sorted(ambiguous)}, both a population and a "
                "projection; rename one so that the input has one target."
            )
        modulators = {k: inputs.pop(k) for k in list(inputs) if k in self.projections}
        for name, value in inputs.items():
            pop = self.populations[name]
            if value is not None and hasattr(pop, "spike"):
                check_input_shape(f"population {name!r}", value, pop.spike.value)
        pops = dict(self.populations)
        projs = dict(self.projections)
        # 1. Deliver the spikes of the previous step.
        jumps: dict[str, Any] = {}
        for name, proj in projs.items():
            projs[name], jump = proj.deliver(pops[proj.pre])
            if jump is not None:
                jumps[proj.post] = jumps.get(proj.post, 0.0) + jump
        for name, dv in jumps.items():
            pops[name] = pops[name].jump(dv)
        # 2. Currents from the potentials at the start of the step.
        currents = {name: inputs.get(name) for name in pops}
        for proj in projs.values():
            current = proj.current(pops[proj.pre], pops[proj.post])
            previous = currents[proj.post]
            currents[proj.post] = current if previous is None else previous + current
        # 3-4. Integrate projections and populations; threshold, reset, refractory.
        projs = {name: proj.integrate(dt) for name, proj in projs.items()}
        pops = {name: pop.step(currents[name], dt) for name, pop in pops.items()}
        # 5. Plasticity from the spikes of this step.
        projs = {
            name: proj.plasticity_step(
                pops[proj.pre], pops[proj.post], dt, modulators.get(name)
            )
            for name, proj in projs.items()
        }
        return eqx.tree_at(
            lambda n: (n.populations, n.projections), self, (pops, projs)
        )
