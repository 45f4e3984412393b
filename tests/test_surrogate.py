"""Surrogate spike functions: Heaviside forward, finite smooth derivative backward."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import erf, expit

import brainox as bx


SURROGATES = [
    bx.surrogate.Sigmoid,
    bx.surrogate.FastSigmoid,
    bx.surrogate.Arctan,
    bx.surrogate.Triangle,
    bx.surrogate.Gaussian,
]


@pytest.mark.parametrize("cls", SURROGATES)
def test_forward_is_a_step(cls):
    x = jnp.asarray([-3.0, -1e-6, 0.0, 1e-6, 2.0])
    np.testing.assert_array_equal(cls()(x), [0.0, 0.0, 1.0, 1.0, 1.0])


@pytest.mark.parametrize("cls", SURROGATES)
def test_backward_is_the_documented_derivative(cls):
    s = cls(slope=3.0)
    x = jnp.linspace(-2.0, 2.0, 41)
    grads = jax.vmap(jax.grad(lambda v: s(v)))(x)
    np.testing.assert_allclose(grads, cls.derivative(x, 3.0), rtol=1e-6)
    assert grads[20] == pytest.approx(float(cls.derivative(jnp.zeros(()), 3.0)))


CLOSED_FORMS = {
    bx.surrogate.Sigmoid: lambda x, s: s * np.exp(-s * x) / (1 + np.exp(-s * x)) ** 2,
    bx.surrogate.FastSigmoid: lambda x, s: 1 / (1 + s * abs(x)) ** 2,
    bx.surrogate.Arctan: lambda x, s: (s / 2) / (1 + (np.pi / 2 * s * x) ** 2),
    bx.surrogate.Triangle: lambda x, s: s * max(0.0, 1 - s * abs(x)),
    bx.surrogate.Gaussian: lambda x, s: (
        s / np.sqrt(2 * np.pi) * np.exp(-((s * x) ** 2) / 2)
    ),
}


@pytest.mark.parametrize("cls", SURROGATES)
def test_derivative_matches_closed_form_and_normalisation(cls):
    s = 2.5
    for x in [-1.3, -0.2, 0.0, 0.15, 0.9]:
        assert float(cls.derivative(jnp.asarray(x), s)) == pytest.approx(
            CLOSED_FORMS[cls](x, s), rel=1e-5, abs=1e-7
        )
    # The area over [-L, L] against each derivative's closed-form antiderivative:
    # all integrate to 1 over the real line except the fast sigmoid (2 / s).
    L = 20.0
    x = np.linspace(-L, L, 400_001)
    area = np.trapezoid(np.asarray(cls.derivative(jnp.asarray(x), s), np.float64), x)
    expected = {
        bx.surrogate.Sigmoid: expit(s * L) - expit(-s * L),
        bx.surrogate.FastSigmoid: 2 * (1 - 1 / (1 + s * L)) / s,
        bx.surrogate.Arctan: 2 / np.pi * np.arctan(np.pi * s * L / 2),
        bx.surrogate.Triangle: 1.0,
        bx.surrogate.Gaussian: erf(s * L / np.sqrt(2)),
    }[cls]
    assert area == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("cls", SURROGATES)
@pytest.mark.parametrize("slope", [100.0, 1e30, 1e38])
def test_gradients_stay_finite_at_large_slope_and_far_from_threshold(cls, slope):
    s = cls(slope=slope)
    x = jnp.asarray([-1e4, -60.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 60.0, 1e4, 3e38])
    grads = jax.vmap(jax.grad(lambda v: s(v)))(x)
    assert np.all(np.isfinite(grads))
    assert np.all(grads >= 0)


def test_invalid_slope_and_dtype():
    with pytest.raises(ValueError, match="`slope` must be a finite number > 0"):
        bx.surrogate.Sigmoid(slope=0.0)
    with pytest.raises(ValueError, match=r"finite number > 0, got inf"):
        bx.surrogate.Arctan(slope=float("inf"))  # every gradient was NaN
    with pytest.raises(TypeError, match="floating-point input"):
        bx.surrogate.Sigmoid()(jnp.arange(3))
