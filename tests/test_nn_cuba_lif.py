"""The current-based LIF layer against its discrete recursion, written out in NumPy."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_cuba_lif_matches_recursion(reset, getkey):
    T, n = 40, 16
    alpha, beta, theta = 0.7, 0.85, 1.0
    x = np.asarray(jax.random.uniform(getkey(), (T, n), maxval=0.6))
    ys, layer = bx.nn.run(bx.nn.CubaLIF(n, alpha=alpha, beta=beta, reset=reset), x)
    current, V = np.zeros(n, np.float32), np.zeros(n, np.float32)
    expected = []
    for t in range(T):
        current = np.float32(alpha) * current + x[t]
        V = np.float32(beta) * V + current
        spike = (V >= theta).astype(np.float32)
        V = V - spike * theta if reset == "subtract" else np.where(spike > 0, 0.0, V)
        expected.append(spike)
    np.testing.assert_array_equal(np.asarray(ys), np.stack(expected))
    assert np.asarray(ys).sum() > 20  # the input makes the layer fire
    np.testing.assert_allclose(layer.I.value, current, rtol=1e-6)
    np.testing.assert_allclose(layer.V.value, V, rtol=1e-5, atol=1e-6)


def test_cuba_lif_alpha_zero_is_lif(getkey):
    x = jax.random.uniform(getkey(), (30, 8), maxval=0.5)
    ys_cuba, _ = bx.nn.run(bx.nn.CubaLIF(8, alpha=0.0, beta=0.9), x)
    ys_lif, _ = bx.nn.run(bx.nn.LIF(8, beta=0.9), x)
    np.testing.assert_array_equal(ys_cuba, ys_lif)


def test_cuba_lif_gradient_reaches_alpha_when_learned(getkey):
    x = jax.random.uniform(getkey(), (20, 4), maxval=0.5)

    def loss(layer):
        ys, _ = bx.nn.run(layer, x)
        return jnp.sum(ys)

    learned = jax.grad(loss)(bx.nn.CubaLIF(4, learn_alpha=True))
    frozen = jax.grad(loss)(bx.nn.CubaLIF(4))
    assert np.all(np.isfinite(learned.alpha)) and np.any(learned.alpha != 0)
    np.testing.assert_array_equal(frozen.alpha, 0.0)


def test_cuba_lif_rejects_alpha_out_of_range():
    with pytest.raises(ValueError, match="alpha"):
        bx.nn.CubaLIF(4, alpha=1.5)
