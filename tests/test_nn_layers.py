"""Spiking layers against their discrete recursions; Sequential, run and vmap."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


def lif_reference(x, beta, threshold, reset):
    """The LIF recursion written out in NumPy, one step at a time."""
    V = np.zeros(x.shape[1:])
    spikes, potentials = [], []
    for x_t in x:
        V = beta * V + x_t
        s = (V >= threshold).astype(float)
        V = V - s * threshold if reset == "subtract" else np.where(s > 0, 0.0, V)
        spikes.append(s)
        potentials.append(V)
    return np.array(spikes), np.array(potentials)


def test_lif_subthreshold_is_the_geometric_sum():
    # Constant input I, no spike: V[t] = I (1 - beta^t) / (1 - beta).
    beta, current, T = 0.8, 0.1, 30
    lif = bx.nn.LIF(3, beta=beta, threshold=1.0)
    _, _, V = bx.nn.run(lif, jnp.full((T, 3), current), record=lambda m: m.V.value)
    t = np.arange(1, T + 1)
    expect = current * (1 - beta**t) / (1 - beta)
    np.testing.assert_allclose(V[:, 0], expect, rtol=1e-5)


def test_lif_first_spike_step_closed_form():
    # V[t] >= theta first at t* = ceil(log(1 - theta (1 - beta) / I) / log(beta)).
    beta, theta = 0.9, 1.0
    currents = np.array([0.15, 0.3, 0.5, 1.2], np.float32)
    spikes, _ = bx.nn.run(
        bx.nn.LIF(4, beta=beta, threshold=theta), jnp.broadcast_to(currents, (40, 4))
    )
    first = np.argmax(np.asarray(spikes) > 0, axis=0) + 1
    expect = np.ceil(np.log(1 - theta * (1 - beta) / currents) / np.log(beta))
    np.testing.assert_array_equal(first, expect)


@pytest.mark.parametrize("reset", ["subtract", "zero"])
def test_lif_matches_the_numpy_recursion(reset, getkey):
    x = jax.random.uniform(getkey(), (50, 2, 3, 4), minval=-0.2, maxval=0.8)
    beta = jnp.array([0.7, 0.95]).reshape(2, 1, 1)  # one decay per channel
    lif = bx.nn.LIF((2, 3, 4), beta=beta, threshold=1.2, reset=reset)
    spikes, final = bx.nn.run(lif, x)
    s_ref, V_ref = lif_reference(
        np.asarray(x, np.float64), np.asarray(beta), 1.2, reset
    )
    assert s_ref.sum() > 50  # the check covers many spikes
    np.testing.assert_array_equal(spikes, s_ref)
    np.testing.assert_allclose(final.V.value, V_ref[-1], atol=1e-5)


def test_alif_matches_the_numpy_recursion(getkey):
    beta, rho, adaptation, theta = 0.9, 0.95, 0.5, 1.0
    x = np.asarray(jax.random.uniform(getkey(), (80, 5), maxval=0.6), np.float64)
    alif = bx.nn.ALIF(5, beta=beta, rho=rho, adaptation=adaptation, threshold=theta)
    spikes, _ = bx.nn.run(alif, jnp.asarray(x, jnp.float32))
    V, a, ref = np.zeros(5), np.zeros(5), []
    for x_t in x:
        V = beta * V + x_t
        A = theta + adaptation * a
        s = (V >= A).astype(float)
        V = V - s * A
        a = rho * a + (1 - rho) * s
        ref.append(s)
    np.testing.assert_array_equal(spikes, np.array(ref))
    # Adaptation lowers the rate below that of the LIF layer with the same input.
    lif_spikes, _ = bx.nn.run(bx.nn.LIF(5, beta=beta, threshold=theta), jnp.asarray(x))
    assert float(spikes.sum()) < float(lif_spikes.sum())


def test_li_integrates_without_spiking():
    x = jnp.arange(1.0, 6.0)[:, None] * jnp.ones((5, 2))
    V, _ = bx.nn.run(bx.nn.LI(2, beta=0.5), x)
    expect = [1.0, 2.5, 4.25, 6.125, 8.0625]  # V = 0.5 V + x
    np.testing.assert_allclose(V[:, 1], expect)


def test_lif_bptt_gradient_is_the_surrogate_sum():
    # With the reset detached, dV[t]/dx[0] = beta^t, so the surrogate gradient of
    # the spike count w.r.t. x[0] is sum_t beta^t sg'(V[t] - theta).
    beta, theta, T = 0.9, 1.0, 12
    surrogate = bx.surrogate.FastSigmoid(5.0)
    lif = bx.nn.LIF(1, beta=beta, threshold=theta, surrogate=surrogate)
    x = jnp.full((T, 1), 0.35)

    def count(x):
        spikes, _ = bx.nn.run(lif, x)
        return spikes.sum()

    grad = jax.grad(count)(x)[0, 0]
    _, _, pre_reset = bx.nn.run(
        lif, x, record=lambda m: m.V.value + m.spike.value * theta
    )
    sg = surrogate.derivative(pre_reset[:, 0] - theta, 5.0)
    expect = np.sum(beta ** np.arange(T) * np.asarray(sg))
    assert float(grad) == pytest.approx(expect, rel=1e-5)


def test_learn_flags_control_the_gradient_of_beta_and_threshold():
    x = jnp.full((10, 4), 0.4)

    def grads(**flags):
        lif = bx.nn.LIF(4, **flags)
        return eqx.filter_grad(lambda m: bx.nn.run(m, x)[0].sum())(lif)

    frozen = grads()
    assert float(frozen.beta) == 0.0 and float(frozen.threshold) == 0.0
    learned = grads(learn_beta=True, learn_threshold=True)
    assert float(learned.beta) > 0.0 and float(learned.threshold) < 0.0


def conv_model(key):
    k1, k2 = jax.random.split(key)
    return bx.nn.Sequential(
        [
            eqx.nn.Conv2d(1, 4, 3, padding=1, key=k1),
            bx.nn.LIF((4, 8, 8), beta=0.8, threshold=0.5),
            eqx.nn.MaxPool2d(2, 2),
            eqx.nn.Lambda(jnp.ravel),
            eqx.nn.Linear(64, 3, key=k2),
            bx.nn.LI(3),
        ]
    )


def test_sequential_mixes_eqx_and_spiking_layers(getkey):
    model = conv_model(getkey())
    x = jax.random.uniform(getkey(), (3, 1, 8, 8), maxval=2.0)
    out, final, spikes = bx.nn.run(model, x, record=bx.nn.record_spikes)
    assert out.shape == (3, 3)
    assert spikes[".layers[1]"].shape == (3, 4, 8, 8)
    assert float(spikes[".layers[1]"].mean()) > 0.05
    # Same result stepping the layers by hand.
    conv, lif, pool, flat, fc, li = model.layers

    @eqx.filter_jit
    def by_hand(lif, li, x):
        s, lif = lif(conv(x))
        v, li = li(fc(flat(pool(s))))
        return s, v, lif, li

    for t in range(3):
        s, v, lif, li = by_hand(lif, li, x[t])
        np.testing.assert_array_equal(spikes[".layers[1]"][t], s)
        np.testing.assert_allclose(out[t], v, rtol=1e-6, atol=1e-6)
    # Stateless layers are left as they are.
    np.testing.assert_array_equal(final.layers[0].weight, model.layers[0].weight)
    assert bx.state_counts(final) == {
        "param": 4,  # conv and fc weights and biases (beta, threshold are fixed)
        "Hidden": 2,
        "ShortTerm": 1,
        "LongTerm": 0,
    }


def test_unrolled_run_equals_the_plain_loop_and_its_gradients(getkey):
    model = conv_model(getkey())
    x = jax.random.uniform(getkey(), (6, 1, 8, 8), maxval=2.0)

    def loss(model, unroll):
        out, _, spikes = bx.nn.run(model, x, record=bx.nn.record_spikes, unroll=unroll)
        return jnp.sum(out**2), spikes

    (ref, ref_spikes), ref_grad = eqx.filter_value_and_grad(loss, has_aux=True)(
        model, 1
    )
    for unroll in (4, True):
        (value, spikes), grad = eqx.filter_value_and_grad(loss, has_aux=True)(
            model, unroll
        )
        np.testing.assert_array_equal(spikes[".layers[1]"], ref_spikes[".layers[1]"])
        np.testing.assert_allclose(value, ref, rtol=1e-6)
        for a, b in zip(jax.tree.leaves(grad), jax.tree.leaves(ref_grad), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="`unroll` must be a positive"):
        bx.nn.run(model, x, unroll=0)


def test_vmap_batch_equals_per_sample_loop(getkey):
    model = conv_model(getkey())
    xb = jax.random.uniform(getkey(), (3, 5, 1, 8, 8), maxval=2.0)

    def forward(model, x):
        out, _ = bx.nn.run(bx.reset(model), x)
        return out

    batched = jax.vmap(forward, in_axes=(None, 0))(model, xb)
    for i in range(3):
        np.testing.assert_allclose(batched[i], forward(model, xb[i]), rtol=1e-6)


def test_checkpointed_run_gives_the_same_gradient(getkey):
    k1, k2 = jax.random.split(getkey())
    model = bx.nn.Sequential(
        [eqx.nn.Linear(4, 6, key=k1), bx.nn.ALIF(6), eqx.nn.Linear(6, 2, key=k2)]
    )
    x = jax.random.uniform(getkey(), (20, 4), maxval=2.0)

    def loss(model, checkpoint):
        out, _ = bx.nn.run(model, x, checkpoint=checkpoint)
        return jnp.sum(out**2)

    g1 = eqx.filter_grad(loss)(model, False)
    g2 = eqx.filter_grad(loss)(model, True)
    for a, b in zip(jax.tree.leaves(g1), jax.tree.leaves(g2), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="`beta` must lie in"):
        bx.nn.LIF(3, beta=1.5)
    with pytest.raises(ValueError, match="`threshold` must lie in"):
        bx.nn.LIF(3, threshold=0.0)
    with pytest.raises(ValueError, match="does not broadcast"):
        bx.nn.LIF(3, beta=jnp.ones(4))
    with pytest.raises(ValueError, match="`reset`"):
        bx.nn.LIF(3, reset="none")
    with pytest.raises(ValueError, match="`shape`"):
        bx.nn.LI(0)
    with pytest.raises(ValueError, match="leading batch axis"):
        bx.nn.LIF(3)(jnp.ones((2, 3)))
    with pytest.raises(TypeError, match="bx.nn.Sequential"):
        bx.nn.run(eqx.nn.Linear(2, 2, key=jax.random.key(0)), jnp.ones((3, 2)))
    with pytest.raises(ValueError, match="`tau` must be > 0"):
        bx.nn.decay(0.0, 1.0)


def test_decay_is_the_exact_leak():
    assert float(bx.nn.decay(10.0, 1.0)) == pytest.approx(np.exp(-0.1))
