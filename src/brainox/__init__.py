"""brainox: brain dynamics and spiking neural networks in JAX.

Models are immutable Equinox modules whose dynamic variables are tagged PyTree
leaves; their dynamics are vector fields integrated by diffrax solvers.
"""

from . import (
    analysis as analysis,
    connect as connect,
    datasets as datasets,
    delays as delays,
    distributed as distributed,
    dynsys as dynsys,
    exact as exact,
    init as init,
    inputs as inputs,
    interop as interop,
    nn as nn,
    outputs as outputs,
    plasticity as plasticity,
    plot as plot,
    presets as presets,
    rates as rates,
    surrogate as surrogate,
    synapses as synapses,
)
from ._compiler_options import default_compiler_options as default_compiler_options
from ._dynamics import (
    AbstractDynamics as AbstractDynamics,
    AbstractNeuron as AbstractNeuron,
    integrate_step as integrate_step,
)
from ._run import SpikeEvents as SpikeEvents, simulate as simulate
from ._solvers.exponential_euler import ExponentialEuler as ExponentialEuler
from ._solvers.heun import Heun as Heun
from ._solvers.rk4 import RK4 as RK4
from ._state import (
    AbstractState as AbstractState,
    Hidden as Hidden,
    LongTerm as LongTerm,
    ShortTerm as ShortTerm,
    combine as combine,
    is_param as is_param,
    is_state as is_state,
    list_params as list_params,
    list_states as list_states,
    partition as partition,
    reset as reset,
    state_counts as state_counts,
    states as states,
)
from .gap_junction import GapJunction as GapJunction
from .native import native_step as native_step
from .network import Network as Network
from .neurons.adex import AdEx as AdEx
from .neurons.expif import ExpIF as ExpIF
from .neurons.fitzhugh_nagumo import FitzHughNagumo as FitzHughNagumo
from .neurons.gif import GIF as GIF
from .neurons.hh import HH as HH
from .neurons.izhikevich import (
    Izhikevich as Izhikevich,
    IzhikevichEuler2003 as IzhikevichEuler2003,
)
from .neurons.lif import LIF as LIF
from .neurons.morris_lecar import MorrisLecar as MorrisLecar
from .neurons.qif import QIF as QIF
from .neurons.traub_miles import TraubMilesHH as TraubMilesHH
from .neurons.wang_buzsaki import WangBuzsaki as WangBuzsaki
from .projections import (
    AbstractProjection as AbstractProjection,
    Projection as Projection,
    check_spike_buffers as check_spike_buffers,
)


__version__ = "0.1.0"
