"""Migration of static eqx.nn models to spiking ones."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


def test_mlp_migration_keeps_the_weights_and_runs(getkey):
    mlp = eqx.nn.MLP(6, 3, width_size=16, depth=2, key=getkey())
    snn = bx.nn.to_spiking(mlp, readout=lambda shape: bx.nn.LI(shape))
    kinds = [type(layer).__name__ for layer in snn.layers]
    assert kinds == ["Linear", "LIF", "Linear", "LIF", "Linear", "LI"]
    for static, spiking in zip(mlp.layers, snn.layers[::2], strict=True):
        np.testing.assert_array_equal(static.weight, spiking.weight)
        np.testing.assert_array_equal(static.bias, spiking.bias)
    assert snn.layers[1].shape == (16,)
    out, _ = bx.nn.run(snn, jnp.ones((7, 6)))
    assert out.shape == (7, 3)


def test_integrate_and_fire_rates_reproduce_the_relu_layer(getkey):
    # IF neurons (beta = 1) with subtractive reset and threshold 1 fed a constant
    # input z spike floor(T z) times in T steps: the rate is relu(z) clipped at 1.
    mlp = eqx.nn.MLP(4, 2, width_size=32, depth=1, key=getkey())
    snn = bx.nn.to_spiking(mlp, neuron=lambda s: bx.nn.LIF(s, beta=1.0))
    x = jax.random.uniform(getkey(), (4,))
    T = 64
    _, _, spikes = bx.nn.run(
        snn, bx.nn.current_encode(x, T), record=bx.nn.record_spikes
    )
    counts = np.asarray(spikes[".layers[1]"].sum(0))
    z = np.asarray(mlp.layers[0](x))
    assert np.any(z < 0) and np.any((z > 0.05) & (z < 1))
    assert np.abs(counts - np.floor(T * np.clip(z, 0, 1))).max() <= 1


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
def test_sequential_migration_infers_conv_feature_shapes(getkey, dtype):
    # A float64 conv (eqx.nn's default in 64-bit mode) takes float64 input
    # when the shapes are inferred.
    k1, k2 = jax.random.split(getkey())
    with jax.enable_x64(dtype == jnp.float64):
        static = eqx.nn.Sequential(
            [
                eqx.nn.Conv2d(1, 4, 3, padding=1, key=k1, dtype=dtype),
                eqx.nn.Lambda(jax.nn.relu),
                eqx.nn.MaxPool2d(2, 2),
                eqx.nn.Lambda(jnp.ravel),
                eqx.nn.Linear(64, 10, key=k2, dtype=dtype),
            ]
        )
        snn = bx.nn.to_spiking(static, in_shape=(1, 8, 8))
    assert snn.layers[0].weight.dtype == dtype
    assert isinstance(snn.layers[1], bx.nn.LIF) and snn.layers[1].shape == (4, 8, 8)
    np.testing.assert_array_equal(snn.layers[0].weight, static.layers[0].weight)
    np.testing.assert_array_equal(snn.layers[4].weight, static.layers[4].weight)
    assert snn.layers[3] is static.layers[3]
    with jax.enable_x64(dtype == jnp.float64):
        out, _ = bx.nn.run(snn, jnp.ones((3, 1, 8, 8), dtype))
    assert out.shape == (3, 10)


def test_migration_errors():
    key = jax.random.key(0)
    conv = eqx.nn.Sequential([eqx.nn.Conv2d(1, 2, 3, key=key)])
    with pytest.raises(ValueError, match="`in_shape` is needed"):
        bx.nn.to_spiking(conv)
    with pytest.raises(TypeError, match="eqx.nn.Sequential or eqx.nn.MLP"):
        bx.nn.to_spiking(eqx.nn.Linear(2, 2, key=key))
    scanned = eqx.nn.MLP(2, 2, 4, 3, scan=True, key=key)
    with pytest.raises(ValueError, match="scan=True"):
        bx.nn.to_spiking(scanned)
