"""The state model: tags, partition/combine, selection, counts, reset, freezing."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given, settings, strategies as st

import brainox as bx


class Hybrid(eqx.Module):
    """The seed tutorial's hybrid model: a parameter and two kinds of state."""

    W: jax.Array
    activity: bx.ShortTerm
    total_spikes: bx.LongTerm

    def __init__(self, size, key):
        self.W = 0.1 * jax.random.normal(key, (size, size))
        self.activity = bx.ShortTerm(jnp.zeros(size))
        self.total_spikes = bx.LongTerm(jnp.array(0, jnp.int32))

    def __call__(self, x):
        new = jnp.tanh(self.W @ x + self.activity.value)
        count = self.total_spikes.value + jnp.sum(new > 0.5, dtype=jnp.int32)
        model = eqx.tree_at(
            lambda m: (m.activity, m.total_spikes),
            self,
            (self.activity.replace(new), self.total_spikes.replace(count)),
        )
        return model, new


class Combined(eqx.Module):
    linear: eqx.nn.Linear
    neuron: bx.LIF


def test_state_counts_match_the_seed_tutorial(getkey):
    model = Hybrid(10, getkey())
    assert bx.state_counts(model) == {
        "param": 1,
        "Hidden": 0,
        "ShortTerm": 1,
        "LongTerm": 1,
    }
    paths = bx.list_states(model)
    assert list(paths) == [".activity", ".total_spikes"]
    assert list(bx.list_params(model)) == [".W"]


def test_counts_and_paths_through_eqx_layers(getkey):
    model = Combined(eqx.nn.Linear(3, 4, key=getkey()), bx.LIF(4))
    counts = bx.state_counts(model)
    # Linear: weight, bias; LIF: tau, V_rest, V_reset, V_th, R, t_ref.
    assert counts == {"param": 8, "Hidden": 1, "ShortTerm": 2, "LongTerm": 0}
    assert list(bx.list_states(model, bx.Hidden)) == [".neuron.V"]
    n_params = sum(p.size for p in bx.list_params(model).values())
    assert n_params == 3 * 4 + 4 + 6


def test_partition_combine_round_trip(getkey):
    model = Combined(eqx.nn.Linear(3, 4, key=getkey()), bx.LIF(4))
    params, states, static = bx.partition(model)
    assert all(eqx.is_inexact_array(x) for x in jax.tree.leaves(params))
    assert all(bx.is_state(x) for x in jax.tree.leaves(states, is_leaf=bx.is_state))
    assert len(jax.tree.leaves(states, is_leaf=bx.is_state)) == 3
    rebuilt = bx.combine(params, states, static)
    assert jax.tree.structure(rebuilt) == jax.tree.structure(model)
    for a, b in zip(jax.tree.leaves(rebuilt), jax.tree.leaves(model), strict=True):
        assert a is b


def test_select_one_tag(getkey):
    model = Hybrid(5, getkey())
    short = bx.states(model, bx.ShortTerm)
    assert short.activity is model.activity
    assert short.total_spikes is None and short.W is None
    everything = bx.states(model)
    assert everything.total_spikes is model.total_spikes


def test_reset_restores_hidden_and_short_term_only(getkey):
    model = Hybrid(6, getkey())
    x = jnp.ones(6)
    for _ in range(3):
        model, _ = model(x)
    assert jnp.any(model.activity.value != 0) and model.total_spikes.value > 0
    fresh = bx.reset(model)
    np.testing.assert_array_equal(fresh.activity.value, 0.0)
    assert fresh.total_spikes.value == model.total_spikes.value
    assert fresh.W is model.W


def test_reset_draws_random_initial_values_from_the_key(getkey):
    neuron = bx.LIF(1000, V_init=bx.init.normal(-55.0, 2.0), key=getkey())
    with pytest.raises(ValueError, match="needs a key"):
        bx.reset(neuron)
    a = bx.reset(neuron, key=jax.random.key(1))
    b = bx.reset(neuron, key=jax.random.key(1))
    c = bx.reset(neuron, key=jax.random.key(2))
    np.testing.assert_array_equal(a.V.value, b.V.value)
    assert not np.array_equal(a.V.value, c.V.value)
    assert abs(float(a.V.value.mean()) + 55.0) < 0.2
    assert abs(float(a.V.value.std()) - 2.0) < 0.15


@pytest.mark.parametrize(
    "make, first, second",
    [
        (lambda k: bx.Izhikevich(4000, v_init=bx.init.normal(-65.0, 5.0),
                                 u_init=bx.init.normal(-13.0, 1.0), key=k), "v", "u"),
        (lambda k: bx.AdEx(4000, V_init=bx.init.normal(-65.0, 5.0),
                           w_init=bx.init.normal(0.0, 1.0), key=k), "V", "w"),
        (lambda k: bx.GIF(4000, V_init=bx.init.normal(-65.0, 5.0),
                          Theta_init=bx.init.normal(-50.0, 1.0), key=k), "V", "Theta"),
    ],
)  # fmt: skip
def test_random_states_of_one_model_draw_from_their_own_keys(make, first, second):
    # Izhikevich drew v and u from one key: correlation 0.99999999.
    model = make(jax.random.key(0))
    a, b = getattr(model, first).value, getattr(model, second).value
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.06  # 4000 draws: sd 0.016


def test_random_gates_of_a_model_without_a_key_are_refused_with_the_fix():
    # (Under the jaxtyping test hook the annotation, numbers and arrays,
    # refuses the initializer first.)
    match = (
        r"`m_init` is random .* this model takes no `key`; pass values drawn "
        r"beforehand|parameter 'm_init'"
    )
    with pytest.raises((ValueError, TypeError), match=match):
        bx.HH(3, m_init=bx.init.uniform(0.0, 1.0))


def test_gradients_reach_params_only(getkey):
    model = Combined(eqx.nn.Linear(3, 4, key=getkey()), bx.LIF(4, R=100.0))
    params, states, static = bx.partition(model)

    def loss(params, x):
        m = bx.combine(params, states, static)
        current = m.linear(x)
        neuron = m.neuron.step(current * 1000.0, 0.1)
        return jnp.sum(neuron.V.value**2)

    grads = jax.grad(loss)(params, jnp.ones(3))
    assert jax.tree.structure(grads) == jax.tree.structure(params)
    assert jnp.all(grads.linear.weight != 0)
    # dV/dR through the input drive is non-zero; states carry no gradient slots.
    assert grads.neuron.R.shape == ()
    assert bx.states(grads) is not None
    assert not jax.tree.leaves(bx.states(grads), is_leaf=bx.is_state)


def test_frozen_parameters_are_skipped_by_gradients_and_optax(getkey):
    model = Combined(eqx.nn.Linear(3, 4, key=getkey()), bx.LIF(4))
    frozen = lambda m: (m.linear.weight, m.neuron.tau)
    params, states, static = bx.partition(model, frozen=frozen)
    assert params.linear.weight is None and params.neuron.tau is None
    assert params.linear.bias is model.linear.bias
    assert static.linear.weight is model.linear.weight
    opt = optax.sgd(0.1)
    opt_state = opt.init(params)

    def loss(params):
        m = bx.combine(params, states, static)
        return jnp.sum(m.linear(jnp.ones(3)) ** 2) + jnp.sum(m.neuron.tau)

    grads = jax.grad(loss)(params)
    updates, _ = opt.update(grads, opt_state)
    new = bx.combine(eqx.apply_updates(params, updates), states, static)
    np.testing.assert_array_equal(new.linear.weight, model.linear.weight)
    np.testing.assert_array_equal(new.neuron.tau, model.neuron.tau)
    assert not np.array_equal(new.linear.bias, model.linear.bias)


def test_frozen_whole_module_and_misuse(getkey):
    model = Combined(eqx.nn.Linear(3, 4, key=getkey()), bx.LIF(4))
    params, states, _ = bx.partition(model, frozen=lambda m: m.neuron)
    assert params.neuron.tau is None and params.linear.weight is not None
    assert states.neuron.V is model.neuron.V  # a frozen module keeps its states
    # A state is not a parameter: picking one was silently ignored, and `.value`
    # of a state failed inside eqx.tree_at.
    with pytest.raises(ValueError, match="`frozen` picks a state"):
        bx.partition(model, frozen=lambda m: m.neuron.V)
    with pytest.raises(ValueError, match=r"not `.value` of a state\); calling it"):
        bx.partition(model, frozen=lambda m: m.neuron.V.value)


def test_jit_does_not_retrace_when_state_values_change(getkey):
    model = Hybrid(8, getkey())

    @eqx.filter_jit
    @eqx.debug.assert_max_traces(max_traces=1)
    def run(model, x):
        return model(x)

    for i in range(4):
        model, _ = run(model, jnp.full(8, float(i)))
    neuron = bx.LIF(5)

    @eqx.filter_jit
    @eqx.debug.assert_max_traces(max_traces=1)
    def step(neuron, current):
        return neuron.step(current, 0.1)

    for _ in range(3):
        neuron = step(neuron, jnp.full(5, 300.0))
    neuron = step(neuron.with_states(V=jnp.full(5, -52.0)), jnp.full(5, 300.0))


def test_vmap_over_a_batch_of_states_with_shared_params():
    neuron = bx.LIF(3, V_rest=0.0, V_reset=0.0, V_th=15.0, tau=10.0, R=40.0)
    params, states, static = bx.partition(neuron)
    batch = jax.tree.map(lambda x: jnp.stack([x, x]), states)
    # Each batch member starts from its own V (0 and 1 mV) with shared params.
    batch = eqx.tree_at(
        lambda s: s.V.value, batch, jnp.stack([jnp.zeros(3), jnp.ones(3)])
    )

    def advance(states, current):
        return bx.partition(bx.combine(params, states, static).step(current, 0.1))[1]

    out = jax.vmap(advance, in_axes=(0, None))(batch, 500.0)
    for b, v0 in enumerate([0.0, 1.0]):
        expect = 20.0 + (v0 - 20.0) * np.exp(-0.1 / 10.0)
        np.testing.assert_allclose(out.V.value[b], expect, rtol=1e-6)


def test_init_dtype_mismatch_is_rejected_at_construction():
    # It was accepted, then `bx.reset` failed without naming `init`.
    with pytest.raises(TypeError, match=r"`init` has dtype float32 but `value` "
                       r"has dtype int32"):  # fmt: skip
        bx.ShortTerm(jnp.zeros(3, jnp.int32), init=jnp.full(3, 0.5))
    # A value of the same kind is cast on reset, as before.
    state = bx.Hidden(jnp.zeros(3), init=jnp.ones(3, jnp.int32))
    assert bx.reset(state).value.dtype == jnp.float32


def test_init_shape_mismatch_is_rejected():
    with pytest.raises(ValueError, match="`init` has shape"):
        bx.Hidden(jnp.zeros(3), init=jnp.zeros(4))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 6),
    values=st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=6),
)
def test_property_round_trip_and_reset_idempotent(n, values):
    v = jnp.asarray(values, jnp.float32)
    model = {
        "h": bx.Hidden(v * 2, init=v),
        "s": bx.ShortTerm(v + 1, init=v),
        "l": bx.LongTerm(v - 1),
        "p": jnp.arange(n, dtype=jnp.float32),
    }
    params, states, static = bx.partition(model)
    rebuilt = bx.combine(params, states, static)
    assert jax.tree.all(
        jax.tree.map(lambda a, b: bool(jnp.all(a == b)), rebuilt, model)
    )
    once = bx.reset(model)
    twice = bx.reset(once)
    np.testing.assert_array_equal(once["h"].value, v)
    np.testing.assert_array_equal(once["s"].value, v)
    np.testing.assert_array_equal(once["l"].value, v - 1)
    assert jax.tree.all(jax.tree.map(lambda a, b: bool(jnp.all(a == b)), once, twice))


def test_typed_key_states_replace_and_reset():
    key = bx.ShortTerm(jax.random.key(0))
    advanced = key.replace(jax.random.split(key.value)[0])
    assert advanced.value.dtype == key.value.dtype
    np.testing.assert_array_equal(
        jax.random.key_data(bx.reset(advanced).value), jax.random.key_data(key.value)
    )
    with pytest.raises(TypeError, match="cannot replace"):
        key.replace(jnp.zeros((), jnp.uint32))


def test_uniform_initial_values_stay_below_high():
    # low + (high - low) u rounded up to high 3 times in 2e7 float32 draws.
    x = bx.init.uniform(-60.0, -50.0)(jax.random.key(0), (20_000_000,), jnp.float32)
    assert float(x.max()) < -50.0 and float(x.min()) >= -60.0
    assert float(jnp.mean(x)) == pytest.approx(-55.0, abs=0.01)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: bx.init.normal(float("nan"), 1.0), ValueError, r"`mean` must be a "
         r"finite number, got nan"),
        (lambda: bx.init.uniform(0.0, float("inf")), ValueError, r"`high` must be a "
         r"finite number, got inf"),
        (lambda: bx.init.normal(0.0, 1.0)(jax.random.key(0), (3,), jnp.int32),
         TypeError, r"draws floating-point values, but the state has dtype int32"),
    ],
)  # fmt: skip
def test_initializers_refuse_non_finite_arguments_and_integer_states(
    make, error, match
):
    with pytest.raises(error, match=match):
        make()
