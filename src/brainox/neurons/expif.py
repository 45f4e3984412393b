"""The exponential integrate-and-fire neuron."""

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike, PyTree
from .._dynamics import AbstractNeuron
from .._solvers.rk4 import RK4
from .._state import Hidden, ShortTerm
from .._validate import as_param, check_size
from ..surrogate import AbstractSurrogate, Sigmoid
from ._common import initial_state, integrate_and_fire
from .lif import MOHM_PA_TO_MV


def exp_spike_current(V: Array, V_T: Array, Delta_T: Array) -> Array:
    """The spike-initiation term `Delta_T exp((V - V_T) / Delta_T)` (mV).

    Shared by [`brainox.ExpIF`][] and [`brainox.AdEx`][], which evaluate their whole
    vector field at `min(V, V_cut)`: the model diverges in finite time, and a
    solver stage that overshoots the cut-off within a step (where the neuron spikes
    anyway) must stay finite, as must its gradients.
    """
    return Delta_T * jnp.exp((V - V_T) / Delta_T)


class ExpIF(AbstractNeuron):
    """A population of exponential integrate-and-fire neurons.

    `tau dV/dt = -(V - V_rest) + Delta_T exp((V - V_T) / Delta_T) + R I`

    with `V` in mV, `tau` in ms, `R` in MOhm and the input `I` in pA (`R I` is
    scaled by 1e-3 to mV), as for [`brainox.LIF`][]. The exponential term is the
    spike-initiation current: below the soft threshold `V_T` the neuron is nearly a
    LIF; above it `V` runs off to infinity in finite time. The run-away is declared
    a spike when `V >= V_cut`; then `V` is clipped to `V_cut` (the overshoot of that
    step never enters the state), set to `V_reset`, and held there for `t_ref` ms
    (rounded to whole steps). Above `V_cut` the vector field is frozen at its value
    at `V_cut`, so no solver stage overflows.

    With constant `I` the neuron fires repetitively when `R I` exceeds the
    rheobase `V_T - V_rest - Delta_T` (the minimum over `V` of the leak plus
    exponential current); the default parameters give `R I = 1.62` mV.

    The default solver is [`brainox.RK4`][]. The equation is not conditionally
    linear (the exponential is in `V` itself), and exponential Euler overflows
    in float32 when it linearises the run-away near `V_cut` (its rate there is
    `exp((V_cut - V_T) / Delta_T) / tau`); an explicit Runge-Kutta step only
    evaluates the (capped) vector field, so states and gradients stay finite.

    The input passed to `step` (and `args` of `vector_field`) is `I`, in pA: a
    scalar or one value per neuron.

    The defaults are those Fourcaud-Trocme et al. (2003) fitted to the
    Wang-Buzsaki interneuron (`tau = 10` ms, `V_T = -59.9`, `Delta_T = 3.48` mV), with
    their cut-off of -30 mV and refractory period of 1.7 ms.

    **Arguments:**

    - `n`: number of neurons.
    - `tau`: membrane time constant (ms, > 0).
    - `V_rest`: resting potential (mV).
    - `V_reset`: reset potential (mV).
    - `V_T`: soft threshold, where the exponential current takes over (mV).
    - `Delta_T`: slope factor, the sharpness of spike initiation (mV, > 0).
    - `V_cut`: spike cut-off (mV), well above `V_T` (a few `Delta_T`).
    - `R`: membrane resistance (MOhm, > 0).
    - `t_ref`: absolute refractory period (ms, >= 0).
    - `V_init`: initial potential (mV): a number, an array, or an initializer such
      as `bx.init.normal(-65.0, 2.0)` (then `key` is required). Default `V_rest`.
    - `surrogate`: the spike function's surrogate gradient (default
      `bx.surrogate.Sigmoid(1.0)`, slope in 1/mV).
    - `solver`: any diffrax solver (default [`brainox.RK4`][]).
    - `key`: a `jax.random.key` for a random `V_init`.
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per neuron.

    ??? cite "Reference"
        Fourcaud-Trocme, N., Hansel, D., van Vreeswijk, C. & Brunel, N. (2003).
        How spike generation mechanisms determine the neuronal response to
        fluctuating inputs. The Journal of Neuroscience 23(37), 11628-11640.

    !!! example
        ```python
        neuron = bx.ExpIF(100)
        neuron, rec = bx.simulate(neuron, 200.0, dt=0.05,
                                  inputs=lambda step, t: 50.0,   # pA: R I = 5 mV
                                  spikes={"expif": "spike"})
        ```
    """

    V: Hidden
    spike: ShortTerm
    refractory_left: ShortTerm
    tau: Array
    V_rest: Array
    V_reset: Array
    V_T: Array
    Delta_T: Array
    V_cut: Array
    R: Array
    t_ref: Array
    surrogate: AbstractSurrogate
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        tau: FloatLike = 10.0,
        V_rest: FloatLike = -65.0,
        V_reset: FloatLike = -68.0,
        V_T: FloatLike = -59.9,
        Delta_T: FloatLike = 3.48,
        V_cut: FloatLike = -30.0,
        R: FloatLike = 100.0,
        t_ref: FloatLike = 1.7,
        V_init: PyTree = None,
        surrogate: AbstractSurrogate | None = None,
        solver: diffrax.AbstractSolver | None = None,
        key: Array | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.tau = as_param("tau", tau, n, dtype, positive=True)
        self.V_rest = as_param("V_rest", V_rest, n, dtype)
        self.V_reset = as_param("V_reset", V_reset, n, dtype)
        self.V_T = as_param("V_T", V_T, n, dtype)
        self.Delta_T = as_param("Delta_T", Delta_T, n, dtype, positive=True)
        self.V_cut = as_param("V_cut", V_cut, n, dtype)
        self.R = as_param("R", R, n, dtype, positive=True)
        self.t_ref = as_param("t_ref", t_ref, n, dtype, nonnegative=True)
        self.V = initial_state(V_init, self.V_rest, n, dtype, key, "V_init")
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.refractory_left = ShortTerm(jnp.zeros(n, jnp.int32))
        self.surrogate = Sigmoid(1.0) if surrogate is None else surrogate
        self.solver = RK4() if solver is None else solver

    def vector_field(self, t, y, args):
        """`dV/dt` in mV/ms, with `args = I` in pA."""
        current = 0.0 if args is None else args
        V = jnp.minimum(y["V"], self.V_cut)  # frozen above the cut-off
        spike_current = exp_spike_current(V, self.V_T, self.Delta_T)
        drive = self.R * current * MOHM_PA_TO_MV
        return {"V": (-(V - self.V_rest) + spike_current + drive) * (1.0 / self.tau)}

    def fire(self, y0, y1, dt):
        fired = integrate_and_fire(self, y0, y1, self.V_cut, dt, clip=True)
        return self.with_states(**fired)
