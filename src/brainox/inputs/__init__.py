"""External inputs: spike sources and drives acting on a network's populations.

- [`brainox.inputs.PoissonGroup`][]: a population of independent Poisson spike
  sources (Bernoulli `rate dt / 1000` per step), usable as a network population.
- [`brainox.inputs.PoissonInput`][]: independent Poisson spike counts into every
  neuron of a population (`n` inputs of `rate` Hz each), as a projection with
  delta synapses or synaptic kinetics; the external drive of Brunel (2000).
- [`brainox.inputs.ConstantCurrent`][]: a constant current into a population, as
  a projection (the 200 pA drive of the COBA benchmark).
- [`brainox.inputs.poisson_counts`][]: the fast exact Poisson sampler they use.
- [`brainox.inputs.InhomogeneousPoissonGroup`][]: Poisson sources whose rate
  (Hz) is an input over time.
- [`brainox.inputs.SpikeGenerator`][]: sources that spike at given times.
- Waveforms, functions of the step for `inputs=` of [`brainox.simulate`][] (or
  arrays over time via `sample`): [`brainox.inputs.PiecewiseConstant`][],
  [`brainox.inputs.Ramp`][], [`brainox.inputs.Sinusoid`][],
  [`brainox.inputs.SquareWave`][].
- Noise currents as SDEs stepped by diffrax solvers, with Wiener increments
  drawn in blocks from an explicit key: [`brainox.inputs.OUCurrent`][]
  (Ornstein-Uhlenbeck) and [`brainox.inputs.WhiteNoiseCurrent`][].

Each random input holds its key as a `ShortTerm` state, split every step: runs
are fixed by the key and independent of how they are cut into chunks.

!!! example
    ```python
    net = bx.Network(
        populations={"src": bx.inputs.PoissonGroup(100, 20.0, key=k1),
                     "exc": bx.LIF(400)},
        projections={"ff": bx.Projection("src", "exc", table, 0.5),
                     "ext": bx.inputs.PoissonInput("exc", 1000, 2.0, 0.1,
                                                   size=400, dt=0.1, key=k2)},
    )
    ```
"""

from ._sde import AbstractNoiseCurrent as AbstractNoiseCurrent
from .current import ConstantCurrent as ConstantCurrent
from .inhomogeneous_poisson import (
    InhomogeneousPoissonGroup as InhomogeneousPoissonGroup,
)
from .ou import OUCurrent as OUCurrent
from .poisson import (
    PoissonGroup as PoissonGroup,
    PoissonInput as PoissonInput,
    poisson_counts as poisson_counts,
)
from .spike_generator import SpikeGenerator as SpikeGenerator
from .waveforms import (
    AbstractWaveform as AbstractWaveform,
    PiecewiseConstant as PiecewiseConstant,
    Ramp as Ramp,
    Sinusoid as Sinusoid,
    SquareWave as SquareWave,
)
from .white_noise import WhiteNoiseCurrent as WhiteNoiseCurrent


__all__ = [
    "AbstractNoiseCurrent",
    "AbstractWaveform",
    "ConstantCurrent",
    "InhomogeneousPoissonGroup",
    "OUCurrent",
    "PiecewiseConstant",
    "PoissonGroup",
    "PoissonInput",
    "Ramp",
    "Sinusoid",
    "SpikeGenerator",
    "SquareWave",
    "WhiteNoiseCurrent",
    "poisson_counts",
]
