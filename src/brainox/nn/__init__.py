"""Spiking layers that compose with `equinox.nn`, and training helpers.

Layers are unbatched `equinox.Module`s whose states are tagged leaves; one call
is one time step, `y, layer = layer(x)`. [`brainox.nn.Sequential`][] mixes them
with `eqx.nn` layers, [`brainox.nn.run`][] scans a model over time, and the
losses, encoders and [`brainox.nn.make_train_step`][] train it with optax.
"""

from ._layer import (
    AbstractLayer as AbstractLayer,
    AbstractSpikingLayer as AbstractSpikingLayer,
    decay as decay,
)
from .alif import ALIF as ALIF
from .cuba_lif import CubaLIF as CubaLIF
from .encoders import (
    current_encode as current_encode,
    latency_encode as latency_encode,
    latency_times as latency_times,
    rate_encode as rate_encode,
)
from .li import LI as LI
from .lif import LIF as LIF
from .losses import (
    first_spike_time as first_spike_time,
    first_spike_time_cross_entropy as first_spike_time_cross_entropy,
    membrane_cross_entropy as membrane_cross_entropy,
    rate_cross_entropy as rate_cross_entropy,
    spike_count_cross_entropy as spike_count_cross_entropy,
)
from .metrics import (
    accuracy as accuracy,
    membrane_accuracy as membrane_accuracy,
    spike_count_accuracy as spike_count_accuracy,
)
from .migrate import ACTIVATIONS as ACTIVATIONS, to_spiking as to_spiking
from .run import record_spikes as record_spikes, run as run
from .sequential import Sequential as Sequential
from .train import init_optimizer as init_optimizer, make_train_step as make_train_step
