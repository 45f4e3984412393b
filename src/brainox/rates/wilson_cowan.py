"""The Wilson-Cowan model of excitatory and inhibitory populations."""

import diffrax
import jax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, FloatLike, PyTree
from .._dynamics import AbstractDynamics
from .._solvers.rk4 import RK4
from .._state import Hidden
from .._validate import as_param, check_size
from ..neurons._common import initial_state, state_key
from ._common import split_input


def _sigmoid(x: Array, gain: Array, threshold: Array) -> Array:
    # Wilson & Cowan's logistic, shifted so that S(0) = 0.
    return jax.nn.sigmoid(gain * (x - threshold)) - jax.nn.sigmoid(-gain * threshold)


class WilsonCowan(AbstractDynamics):
    """A population of Wilson-Cowan units: coupled excitatory and inhibitory rates.

    `tau_E dE/dt = -E + (k_E - r_E E) S_E(w_EE E - w_EI I + P + P_ext)`

    `tau_I dI/dt = -I + (k_I - r_I I) S_I(w_IE E - w_II I + Q + Q_ext)`

    `S_X(x) = 1 / (1 + exp(-a_X (x - theta_X))) - 1 / (1 + exp(a_X theta_X))`,

    where `E` and `I` are the fractions of excitatory and inhibitory cells firing
    per unit time (dimensionless), `tau` in ms, and the couplings, inputs and
    thresholds are dimensionless. The sigmoid is shifted so that `S(0) = 0` (the
    rest `E = I = 0` is a fixed point without input); its maximum is
    `1 / (1 + exp(-a theta))`, the default `k`. `r` is the refractory factor.

    The defaults are the parameters of Wilson & Cowan's (1972) limit-cycle
    example (`w_EE = 16`, `w_EI = 12`, `w_IE = 15`, `w_II = 3`, `a_E = 1.3`,
    `theta_E = 4`, `a_I = 2`, `theta_I = 3.7`, `r = 1`) with `tau_E = tau_I = 10`
    ms. At `P = 0` the unit rests at 0; at `P = 1` it has three fixed points (a
    stable low state, a saddle and an unstable focus) and settles in the low
    state; at `P = 1.25` (`Q = 0`) it oscillates with a period of 49.96 ms (the
    tests check these against scipy).

    Every unit is independent (one per population element); to couple units,
    pass each other's activity through the input.

    The default solver is [`brainox.RK4`][]: the equations are smooth and not
    conditionally linear.

    The input passed to `step` (and `args` of `vector_field`) is added to `P`
    and `Q`: `None`, an array (to the excitatory population), or a dict with keys
    `"E"` and/or `"I"`; dimensionless, a scalar or one value per unit.

    **Arguments:**

    - `n`: number of units.
    - `tau_E`, `tau_I`: time constants (ms, > 0).
    - `w_EE`, `w_EI`, `w_IE`, `w_II`: couplings (`c1`, `c2`, `c3`, `c4` of the
      paper; dimensionless, >= 0): `w_XY` is from `Y` to `X`.
    - `a_E`, `a_I`: sigmoid gains (> 0).
    - `theta_E`, `theta_I`: sigmoid thresholds.
    - `r_E`, `r_I`: refractory factors (>= 0).
    - `k_E`, `k_I`: the factor multiplying the gain (default the maximum of the
      sigmoid, `1 / (1 + exp(-a theta))`).
    - `P`, `Q`: constant external inputs to `E` and `I`.
    - `E_init`, `I_init`: initial activities: numbers, arrays or initializers
      (then `key` is required). Default 0.
    - `solver`: any diffrax solver (default [`brainox.RK4`][]).
    - `key`: a `jax.random.key` for random initial values.
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per unit.

    ??? cite "Reference"
        Wilson, H. R. & Cowan, J. D. (1972). Excitatory and inhibitory
        interactions in localized populations of model neurons. Biophysical
        Journal 12(1), 1-24.

    !!! example
        ```python
        model = bx.rates.WilsonCowan(2, P=jnp.array([0.0, 1.25]))
        model, rec = bx.simulate(model, 500.0, dt=0.1, monitors=["E", "I"])
        ```
    """

    E: Hidden
    I: Hidden  # noqa: E741 (the paper's name)
    tau_E: Array
    tau_I: Array
    w_EE: Array
    w_EI: Array
    w_IE: Array
    w_II: Array
    a_E: Array
    a_I: Array
    theta_E: Array
    theta_I: Array
    r_E: Array
    r_I: Array
    k_E: Array
    k_I: Array
    P: Array
    Q: Array
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        tau_E: FloatLike = 10.0,
        tau_I: FloatLike = 10.0,
        w_EE: FloatLike = 16.0,
        w_EI: FloatLike = 12.0,
        w_IE: FloatLike = 15.0,
        w_II: FloatLike = 3.0,
        a_E: FloatLike = 1.3,
        a_I: FloatLike = 2.0,
        theta_E: FloatLike = 4.0,
        theta_I: FloatLike = 3.7,
        r_E: FloatLike = 1.0,
        r_I: FloatLike = 1.0,
        k_E: FloatLike | None = None,
        k_I: FloatLike | None = None,
        P: FloatLike = 0.0,
        Q: FloatLike = 0.0,
        E_init: PyTree = 0.0,
        I_init: PyTree = 0.0,
        solver: diffrax.AbstractSolver | None = None,
        key: Array | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.tau_E = as_param("tau_E", tau_E, n, dtype, positive=True)
        self.tau_I = as_param("tau_I", tau_I, n, dtype, positive=True)
        self.w_EE = as_param("w_EE", w_EE, n, dtype, nonnegative=True)
        self.w_EI = as_param("w_EI", w_EI, n, dtype, nonnegative=True)
        self.w_IE = as_param("w_IE", w_IE, n, dtype, nonnegative=True)
        self.w_II = as_param("w_II", w_II, n, dtype, nonnegative=True)
        self.a_E = as_param("a_E", a_E, n, dtype, positive=True)
        self.a_I = as_param("a_I", a_I, n, dtype, positive=True)
        self.theta_E = as_param("theta_E", theta_E, n, dtype)
        self.theta_I = as_param("theta_I", theta_I, n, dtype)
        self.r_E = as_param("r_E", r_E, n, dtype, nonnegative=True)
        self.r_I = as_param("r_I", r_I, n, dtype, nonnegative=True)
        k_E = jax.nn.sigmoid(self.a_E * self.theta_E) if k_E is None else k_E
        k_I = jax.nn.sigmoid(self.a_I * self.theta_I) if k_I is None else k_I
        self.k_E = as_param("k_E", k_E, n, dtype)
        self.k_I = as_param("k_I", k_I, n, dtype)
        self.P = as_param("P", P, n, dtype)
        self.Q = as_param("Q", Q, n, dtype)
        zero = jnp.zeros((), dtype)
        self.E = initial_state(E_init, zero, n, dtype, key, "E_init")
        self.I = initial_state(
            I_init,
            zero,
            n,
            dtype,
            state_key(key, 1),
            "I_init",
        )
        self.solver = RK4() if solver is None else solver

    @property
    def size(self) -> int:
        """Number of units."""
        return self.E.value.shape[-1]

    def gain(self, x: ArrayLike, population: str = "E") -> Array:
        """The shifted sigmoid `S_E(x)` or `S_I(x)` (dimensionless).

        !!! example
            ```python
            bx.rates.WilsonCowan(1).gain(jnp.linspace(0.0, 10.0, 11), "I")
            ```
        """
        if population not in ("E", "I"):
            raise ValueError(f"`population` must be 'E' or 'I', got {population!r}.")
        if population == "E":
            return _sigmoid(jnp.asarray(x), self.a_E, self.theta_E)
        return _sigmoid(jnp.asarray(x), self.a_I, self.theta_I)

    def vector_field(self, t, y, args):
        """`dE/dt` and `dI/dt` (1/ms); `args` adds to `P` and `Q` (see above)."""
        inputs = split_input(args, ("E", "I"), "WilsonCowan", y["E"])
        E, inh = y["E"], y["I"]
        x_E = self.w_EE * E - self.w_EI * inh + self.P + inputs["E"]
        x_I = self.w_IE * E - self.w_II * inh + self.Q + inputs["I"]
        return {
            "E": (-E + (self.k_E - self.r_E * E) * self.gain(x_E, "E"))
            * (1.0 / self.tau_E),
            "I": (-inh + (self.k_I - self.r_I * inh) * self.gain(x_I, "I"))
            * (1.0 / self.tau_I),
        }
