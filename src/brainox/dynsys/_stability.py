"""Linear stability of a fixed point from the eigenvalues of its Jacobian."""

import jax.numpy as jnp
import numpy as np

from .._custom_types import Array


STABILITY_LABELS: tuple[str, ...] = (
    "stable node",
    "stable focus",
    "unstable node",
    "unstable focus",
    "saddle",
    "non-hyperbolic",
)
"""The names of the stability codes: `STABILITY_LABELS[code]`.

Code `-1` (no fixed point) has no label.

- `0` stable node: every eigenvalue has a negative real part, the leading one
  (largest real part) is real;
- `1` stable focus: likewise, but the leading eigenvalues are a complex pair
  (damped oscillations);
- `2` unstable node: every eigenvalue has a positive real part, the leading
  one is real (the state leaves along a line);
- `3` unstable focus: every eigenvalue has a positive real part and the
  leading ones are a complex pair, or some real parts are positive and every
  eigenvalue with a positive real part is complex (the state spirals out: past
  a Hopf bifurcation, including saddle-foci of models with more than two
  variables such as [`brainox.HH`][]);
- `4` saddle: real parts of both signs, with at least one real unstable
  eigenvalue;
- `5` non-hyperbolic: a real part is zero within the tolerance (a bifurcation
  point).
"""


def stability_code(eigenvalues: Array, tol: float | None = None) -> Array:
    """The stability code (see `STABILITY_LABELS`) of a fixed point.

    **Arguments:**

    - `eigenvalues`: the Jacobian's eigenvalues (1/ms), complex, shape `(..., d)`.
    - `tol`: real parts within `tol * max(1, max |eigenvalue|)` of zero count as
      zero. Default: `100 eps` of the dtype (about `1e-5` in float32, `2e-14`
      in float64).

    **Returns:** int32 codes of shape `(...)`; `-1` where an eigenvalue is NaN
    or infinite.

    ??? cite "Reference"
        Strogatz, S. H. (2015). Nonlinear Dynamics and Chaos, 2nd ed., section
        5.2 (classification of linear systems). Westview Press.

    !!! example
        ```python
        code = bx.dynsys.stability_code(jnp.array([-0.1 + 0.5j, -0.1 - 0.5j]))
        bx.dynsys.STABILITY_LABELS[code]   # "stable focus"
        ```
    """
    eigenvalues = jnp.asarray(eigenvalues)
    if eigenvalues.ndim == 0 or eigenvalues.shape[-1] == 0:
        raise ValueError(
            f"`eigenvalues` must have the eigenvalues along its last axis, shape "
            f"(..., d) with d >= 1, got shape {eigenvalues.shape}."
        )
    if not jnp.issubdtype(eigenvalues.dtype, jnp.inexact):
        eigenvalues = eigenvalues.astype(jnp.result_type(float))
    re, im = jnp.real(eigenvalues), jnp.imag(eigenvalues)
    if tol is None:
        tol = 100 * float(np.finfo(re.dtype).eps)
    scale = jnp.maximum(1.0, jnp.max(jnp.abs(eigenvalues), axis=-1, keepdims=True))
    zero = jnp.abs(re) <= tol * scale
    complex_ = jnp.abs(im) > tol * scale
    unstable = re > 0
    leading_complex = jnp.take_along_axis(
        complex_, jnp.argmax(re, axis=-1, keepdims=True), axis=-1
    )[..., 0]
    all_stable = ~jnp.any(unstable, axis=-1)
    all_unstable = jnp.all(unstable, axis=-1)
    spirals_out = jnp.all(~unstable | complex_, axis=-1)
    code = jnp.where(
        all_stable,
        jnp.where(leading_complex, 1, 0),
        jnp.where(
            all_unstable,
            jnp.where(leading_complex, 3, 2),
            jnp.where(spirals_out, 3, 4),
        ),
    )
    code = jnp.where(jnp.any(zero, axis=-1), 5, code)
    # NaN or inf eigenvalues (a failed Jacobian): no fixed point to classify.
    finite = jnp.all(jnp.isfinite(re) & jnp.isfinite(im), axis=-1)
    return jnp.where(finite, code, -1).astype(jnp.int32)


def stability_label(code: int) -> str:
    """The name of a stability code (`"none"` for -1)."""
    return "none" if int(code) < 0 else STABILITY_LABELS[int(code)]
