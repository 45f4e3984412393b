"""Training helpers: gradients against finite differences, parameter-only updates,
and a short training run on the digits."""

import equinox as eqx
import jax
import jax.flatten_util
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import brainox as bx


def li_model(key, dtype):
    return bx.nn.Sequential(
        [
            eqx.nn.Linear(3, 4, key=key, dtype=dtype),
            bx.nn.LI(4, beta=0.8, learn_beta=True, dtype=dtype),
        ]
    )


def test_train_step_gradient_matches_central_differences():
    with jax.enable_x64(True):
        model = li_model(jax.random.key(0), jnp.float64)
        xs = jax.random.normal(jax.random.key(1), (2, 6, 3), jnp.float64)
        labels = jnp.array([1, 3])

        def loss_fn(model, xs, labels):
            V = jax.vmap(lambda x: bx.nn.run(bx.reset(model), x)[0])(xs)
            return bx.nn.membrane_cross_entropy(V, labels, reduce="mean")

        # With SGD at rate 1 the update is minus the gradient.
        optimizer = optax.sgd(1.0)
        step = bx.nn.make_train_step(loss_fn, optimizer)
        opt_state = bx.nn.init_optimizer(optimizer, model)
        new, _, loss = step(model, opt_state, xs, labels)
        assert float(loss) == pytest.approx(float(loss_fn(model, xs, labels)))

        params, states, static = bx.partition(model)
        flat, unravel = jax.flatten_util.ravel_pytree(params)
        assert flat.size == 3 * 4 + 4 + 1  # weight, bias, beta: no states
        f = jax.jit(
            lambda p: loss_fn(bx.combine(unravel(p), states, static), xs, labels)
        )
        eps = 1e-6
        fd = np.array(
            [
                (f(flat.at[i].add(eps)) - f(flat.at[i].add(-eps))) / (2 * eps)
                for i in range(flat.size)
            ]
        )
        new_flat, _ = jax.flatten_util.ravel_pytree(bx.partition(new)[0])
        np.testing.assert_allclose(flat - new_flat, fd, rtol=1e-6, atol=1e-9)
        assert np.abs(fd).max() > 1e-3


def spiking_model(key):
    k1, k2 = jax.random.split(key)
    return bx.nn.Sequential(
        [
            eqx.nn.Linear(5, 8, key=k1),
            bx.nn.LIF(8, beta=0.9, surrogate=bx.surrogate.FastSigmoid(25.0)),
            eqx.nn.Linear(8, 3, key=k2),
            bx.nn.LIF(3, beta=0.9, threshold=0.5),
        ]
    )


def test_optimizer_never_touches_states_or_frozen_parameters(getkey):
    model = spiking_model(getkey())
    x = jax.random.uniform(getkey(), (20, 5), maxval=1.5)
    _, model = bx.nn.run(model, x)  # non-trivial states
    states_before = bx.states(model)
    assert float(model.layers[1].V.value.std()) > 0

    def loss_fn(model, x):  # runs on from the current states, no reset
        spikes, _ = bx.nn.run(model, x)
        return jnp.sum((spikes.mean(0) - 0.5) ** 2)

    optimizer = optax.adam(1e-2)
    frozen = lambda m: m.layers[0].weight  # noqa: E731
    opt_state = bx.nn.init_optimizer(optimizer, model, frozen=frozen)
    # Adam keeps two slots per trained parameter (3 of them) and a count; the
    # LIF layers' beta and threshold (learn flags off) are not trained.
    params = bx.list_params(model)
    assert not any("beta" in k or "threshold" in k for k in params)
    n_trained = sum(p.size for p in params.values()) - model.layers[0].weight.size
    assert sum(x.size for x in jax.tree.leaves(opt_state)) == 2 * n_trained + 1
    step = bx.nn.make_train_step(loss_fn, optimizer, frozen=frozen)
    new, _, _ = step(model, opt_state, x)

    for a, b in zip(
        jax.tree.leaves(states_before), jax.tree.leaves(bx.states(new)), strict=True
    ):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(new.layers[0].weight, model.layers[0].weight)
    assert not np.array_equal(new.layers[2].weight, model.layers[2].weight)
    assert not np.array_equal(new.layers[0].bias, model.layers[0].bias)
    assert float(new.layers[1].beta) == float(model.layers[1].beta)


def test_a_falsy_learn_flag_fixes_its_parameter():
    # A flag of 0 (say, from a config file) once left beta trainable, as only
    # `False` itself counted.
    layer = bx.nn.LIF(3, learn_beta=True)
    object.__setattr__(layer, "learn_beta", 0)
    assert "beta" in layer.fixed_parameters
    assert ".beta" not in bx.list_params(layer)


@pytest.mark.parametrize("learn", [False, True])
def test_weight_decay_leaves_fixed_layer_parameters(learn, getkey):
    # With its learn flags off, a layer's beta and threshold are not trainable
    # parameters at all: weight decay (adamw), which acts without gradients,
    # leaves them; with the flags on they are trained.
    model = bx.nn.Sequential(
        [
            eqx.nn.Linear(5, 8, key=getkey()),
            bx.nn.LIF(8, beta=0.9, learn_beta=learn, learn_threshold=learn),
            eqx.nn.Linear(8, 2, key=getkey()),
            bx.nn.ALIF(2, beta=0.9, learn_beta=learn),
        ]
    )
    x = jax.random.uniform(getkey(), (20, 5), maxval=1.5)

    def loss_fn(model, x):
        spikes, _ = bx.nn.run(bx.reset(model), x)
        return jnp.sum((spikes.mean(0) - 0.5) ** 2)

    optimizer = optax.adamw(1e-2, weight_decay=0.1)
    opt_state = bx.nn.init_optimizer(optimizer, model)
    step = bx.nn.make_train_step(loss_fn, optimizer)
    new = model
    for _ in range(20):
        new, opt_state, _ = step(new, opt_state, x)
    for layer in (1, 3):
        moved = not np.array_equal(new.layers[layer].beta, model.layers[layer].beta)
        assert moved == learn
    moved = not np.array_equal(new.layers[1].threshold, model.layers[1].threshold)
    assert moved == learn
    for name in ("rho", "adaptation"):  # never trained
        np.testing.assert_array_equal(
            getattr(new.layers[3], name), getattr(model.layers[3], name)
        )


def test_spiking_gradients_are_finite_over_a_long_run(getkey):
    model = spiking_model(getkey())
    x = jax.random.uniform(getkey(), (300, 5), maxval=2.0)

    def loss(model):
        spikes, _ = bx.nn.run(model, x, checkpoint=True)
        return bx.nn.spike_count_cross_entropy(spikes, jnp.array(1))

    grads = eqx.filter_grad(loss)(model)
    leaves = [g for g in jax.tree.leaves(grads) if g is not None]
    assert all(bool(jnp.isfinite(g).all()) for g in leaves)
    assert float(jnp.abs(grads.layers[0].weight).max()) > 0


def test_short_training_run_learns_the_digits():
    data = bx.datasets.load_digits(seed=0)
    x_train = data.x_train[:512].reshape(512, -1)
    y_train = data.y_train[:512]
    x_test = data.x_test.reshape(len(data.x_test), -1)
    k1, k2 = jax.random.split(jax.random.key(0))
    model = bx.nn.Sequential(
        [
            eqx.nn.Linear(64, 64, key=k1),
            bx.nn.LIF(64),
            eqx.nn.Linear(64, 10, key=k2),
            bx.nn.LIF(10),
        ]
    )

    def forward(model, images):
        run = lambda x: bx.nn.run(bx.reset(model), bx.nn.current_encode(x, 8))[0]  # noqa: E731
        return jax.vmap(run)(images)

    def loss_fn(model, images, labels):
        return bx.nn.spike_count_cross_entropy(forward(model, images), labels)

    optimizer = optax.adam(5e-3)
    opt_state = bx.nn.init_optimizer(optimizer, model)
    step = bx.nn.make_train_step(loss_fn, optimizer)
    losses = []  # each step returns the loss before its update
    for _ in range(4):
        for i in range(0, 512, 64):
            model, opt_state, loss = step(
                model, opt_state, x_train[i : i + 64], y_train[i : i + 64]
            )
            losses.append(float(loss))
    accuracy = float(
        bx.nn.spike_count_accuracy(forward(model, x_test), jnp.asarray(data.y_test))
    )
    assert np.mean(losses[-8:]) < 0.5 * np.mean(losses[:8])
    assert accuracy > 0.7  # chance is 0.1
