"""`bx.native_step` and `bx.simulate(native=True)`: the generated C++ step
against the XLA step it replaces, on models and networks, and its refusals.

The C++ performs the same operations in the same order as the XLA program,
but `exp` comes from the C library (or its vector variant) instead of XLA's
polynomial, so potentials may differ in the last float32 bits; the checks
are exact where no transcendental function is involved, and to float32
rounding elsewhere, with identical spike trains over the runs here.
"""

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx
from brainox.native import _codegen, _flatten
from brainox.native._step import fused_steps


def _leaves(model):
    return jax.tree.leaves(eqx.filter(model, eqx.is_array))


def _assert_close(a, b, rtol=2e-6, atol=2e-5):
    for x, y in zip(_leaves(a), _leaves(b), strict=True):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol)


def _run(model, x, n_steps, native):
    def body(_, m):
        return bx.native_step(m, x, 0.1) if native else m.step(x, 0.1)

    return jax.jit(lambda m: jax.lax.fori_loop(0, n_steps, body, m))(model)


def test_lif_matches_the_xla_step_over_many_steps(getkey):
    lif = bx.LIF(
        500,
        tau=10.0,
        V_th=1.0,
        V_reset=0.0,
        t_ref=2.0,
        V_init=bx.init.uniform(0.0, 1.0),
        key=getkey(),
    )
    x = jnp.linspace(0.5, 3.0, 500)
    native, xla = _run(lif, x, 2000, True), _run(lif, x, 2000, False)
    _assert_close(native, xla)
    np.testing.assert_array_equal(native.spike.value, xla.spike.value)
    np.testing.assert_array_equal(
        native.refractory_left.value, xla.refractory_left.value
    )


@pytest.mark.parametrize("preset", ["coba", "cuba"])
def test_preset_networks_give_the_same_spikes(preset):
    build = getattr(bx.presets, preset)
    net = build(800, key=jax.random.key(3), p=0.1)
    spikes = {"exc": "populations.exc.spike", "inh": "populations.inh.spike"}
    runs = [
        bx.simulate(net, 200.0, dt=0.1, spike_counts=spikes, native=native)
        for native in (False, True)
    ]
    (xla_net, xla_rec), (native_net, native_rec) = runs
    for name in spikes:
        assert xla_rec[name].sum() > 100  # a network that fires
        np.testing.assert_array_equal(native_rec[name], xla_rec[name])
    _assert_close(native_net, xla_net, rtol=1e-4, atol=1e-3)


def test_hodgkin_huxley_with_vectorised_exp(getkey):
    # exp, integer powers and divisions per neuron: to float32 rounding.
    net = bx.presets.cobahh(400, key=getkey(), p=0.1)
    spikes = {"exc": "populations.exc.spike", "inh": "populations.inh.spike"}
    (a, ra), (b, rb) = [
        bx.simulate(net, 50.0, dt=0.1, spike_counts=spikes, native=native)
        for native in (False, True)
    ]
    for name in spikes:
        np.testing.assert_array_equal(rb[name], ra[name])
    _assert_close(b, a, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize(
    "name, drive",
    [
        ("ExpIF", 600.0),
        ("AdEx", 600.0),
        ("Izhikevich", 20.0),
        ("HH", 20.0),
        ("GIF", 600.0),
        ("MorrisLecar", 200.0),
        ("FitzHughNagumo", 20.0),
    ],
)
def test_neuron_models_spike_as_with_xla(name, drive):
    # exp, cosh, integer powers, random-free secondary states: the same spikes
    # over 50 ms for a range of constant drives.
    model = getattr(bx, name)(50)
    current = jnp.linspace(0.0, drive, 50)
    kwargs = dict(dt=0.05, inputs=lambda step, t: current, spike_counts={"s": "spike"})
    _, xla = bx.simulate(model, 50.0, **kwargs)
    _, native = bx.simulate(model, 50.0, native=True, **kwargs)
    assert xla["s"].sum() > 0
    np.testing.assert_array_equal(native["s"], xla["s"])


def test_simulate_native_records_the_same_potentials():
    lif = bx.LIF(64, tau=20.0, V_th=-50.0, V_rest=-65.0, V_reset=-65.0, V_init=-65.0)
    current = jnp.linspace(100.0, 300.0, 64)
    kwargs = dict(
        dt=0.1, inputs=lambda step, t: current, monitors=["V"], spikes={"s": "spike"}
    )
    _, xla = bx.simulate(lif, 100.0, **kwargs)
    _, native = bx.simulate(lif, 100.0, native=True, **kwargs)
    np.testing.assert_allclose(native["V"], xla["V"], rtol=1e-6, atol=1e-4)
    np.testing.assert_array_equal(native["s"].index, xla["s"].index)
    np.testing.assert_array_equal(native["s"].time, xla["s"].time)


def _assert_identical(a, b):
    for x, y in zip(_leaves(a), _leaves(b), strict=True):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_array_equal(np.asarray(y), np.asarray(x))
        np.testing.assert_array_equal(np.signbit(y), np.signbit(x))


def _same_as_xla(model, x=None):
    _assert_identical(model.step(x, 0.1), bx.native_step(model, x, 0.1))


def test_reads_after_writes_keep_old_values(getkey):
    class Rotate(eqx.Module):
        a: bx.Hidden
        b: bx.Hidden

        def step(self, x, dt):
            a, b = self.a.value, self.b.value
            # a's new value may go where a was; b reads a's first and last
            # values, which that in-place update would have overwritten.
            new_a = a * 2.0 + b
            new_b = jnp.where(a[:1] > 0, b, b) + a[:1] + a[-1:]
            new = eqx.tree_at(lambda m: m.a.value, self, new_a)
            return eqx.tree_at(lambda m: m.b.value, new, new_b)

    a, b = jax.random.normal(getkey(), (2, 16))
    model = Rotate(bx.Hidden(a), bx.Hidden(b))
    _same_as_xla(model)  # a and b equal XLA's, bit for bit


def test_an_output_equal_to_another_input_is_copied(getkey):
    class Exchange(eqx.Module):
        a: bx.Hidden
        b: bx.Hidden

        def step(self, x, dt):
            a, b = self.a.value, self.b.value
            new = eqx.tree_at(lambda m: m.a.value, self, b)
            return eqx.tree_at(lambda m: m.b.value, new, a)

    a, b = jax.random.normal(getkey(), (2, 16))
    model = Exchange(bx.Hidden(a), bx.Hidden(b))
    out = _run(model, None, 3, True)
    np.testing.assert_array_equal(out.a.value, b)
    np.testing.assert_array_equal(out.b.value, a)


def test_arithmetic_without_library_functions_is_bit_for_bit(getkey):
    class Mixed(eqx.Module):
        count: bx.Hidden
        flag: bx.Hidden
        t: bx.Hidden
        v: bx.Hidden

        def step(self, x, dt):
            v = self.v.value
            fired = v > x
            count = self.count.value + fired.astype(jnp.int32) * 3 - (v < -x)
            flag = jnp.logical_xor(self.flag.value, fired) | (count % 4 == 0)
            v = jnp.where(fired, -v, v + jnp.maximum(x, 0.25) ** 3 - jnp.floor(v))
            v = jnp.clip(v, -5.0, 5.0) + jnp.sign(v) * jnp.round(jnp.abs(v) * 0.5)
            t = self.t.value + dt
            return eqx.tree_at(
                lambda m: (m.count.value, m.flag.value, m.t.value, m.v.value),
                self,
                (count, flag, t, v),
            )

    n = 97
    v = jax.random.normal(getkey(), (n,)) * 3
    model = Mixed(
        bx.Hidden(jnp.zeros(n, jnp.int32)),
        bx.Hidden(jnp.zeros(n, bool)),
        bx.Hidden(jnp.asarray(0.0)),
        bx.Hidden(v),
    )
    x = jnp.asarray(0.7)
    native, xla = _run(model, x, 50, True), _run(model, x, 50, False)
    np.testing.assert_array_equal(native.count.value, xla.count.value)
    np.testing.assert_array_equal(native.flag.value, xla.flag.value)
    np.testing.assert_array_equal(native.v.value, xla.v.value)
    np.testing.assert_allclose(native.t.value, xla.t.value, rtol=1e-6)
    assert native.t.value.shape == ()


def test_division_is_correctly_rounded(getkey):
    # XLA's CPU division is not always correctly rounded (1 ulp off in places);
    # the native step's is, as NumPy's.
    class Divide(eqx.Module):
        v: bx.Hidden

        def step(self, x, dt):
            v = self.v.value
            return eqx.tree_at(lambda m: m.v.value, self, v / (1.0 + x * jnp.abs(v)))

    v = jax.random.normal(getkey(), (1000,), jnp.float32) * 3
    x = np.float32(0.7)
    model = Divide(bx.Hidden(v))
    native = bx.native_step(model, jnp.asarray(x), 0.1).v.value
    v32 = np.asarray(v, np.float32)
    np.testing.assert_array_equal(native, v32 / (np.float32(1) + x * np.abs(v32)))
    xla = model.step(jnp.asarray(x), 0.1).v.value
    np.testing.assert_array_max_ulp(np.asarray(native), np.asarray(xla), maxulp=1)


def test_division_by_a_constant_multiplies_by_its_reciprocal_as_xla(getkey):
    # XLA rewrites x / c into x * (1 / c) for a constant c; so does the native
    # step (a multiply instead of a divide), bit for bit, also where 1 / c is
    # infinite or subnormal (which XLA's CPU threads, and the native step on
    # them, flush to zero).
    class Divide(eqx.Module):
        v: bx.Hidden
        c: float = eqx.field(static=True)

        def step(self, x, dt):
            return eqx.tree_at(lambda m: m.v.value, self, self.v.value / self.c)

    v = jax.random.normal(getkey(), (1000,), jnp.float32) * 3
    v32 = np.asarray(v)
    for c in (5.0, 60.0, 3.0, 1e38, 0.0):
        _same_as_xla(Divide(bx.Hidden(v), c))
    for c in (5.0, 60.0, 3.0):
        native = np.asarray(bx.native_step(Divide(bx.Hidden(v), c), None, 0.1).v.value)
        np.testing.assert_array_equal(native, v32 * (np.float32(1) / np.float32(c)))
        assert np.any(native != v32 / np.float32(c))  # not a division


def test_vmap_runs_each_element(getkey):
    lif = bx.LIF(32, tau=10.0, V_th=1.0, V_reset=0.0, V_init=0.0)
    x = jax.random.uniform(getkey(), (5, 32), minval=0.5, maxval=3.0)
    native = jax.vmap(lambda x: _run(lif, x, 200, True).V.value)(x)
    xla = jax.vmap(lambda x: _run(lif, x, 200, False).V.value)(x)
    np.testing.assert_allclose(native, xla, rtol=1e-6, atol=1e-5)


def test_float64(getkey):
    with jax.enable_x64(True):
        lif = bx.LIF(50, tau=10.0, V_th=1.0, V_reset=0.0, V_init=0.0, dtype=jnp.float64)
        x = jnp.linspace(0.5, 3.0, 50, dtype=jnp.float64)
        native, xla = _run(lif, x, 500, True), _run(lif, x, 500, False)
        assert native.V.value.dtype == jnp.float64
        np.testing.assert_allclose(native.V.value, xla.V.value, rtol=1e-13, atol=1e-12)


def test_the_same_step_gives_the_same_source():
    # Deterministic code, so the compiled library is found in the disk cache
    # by the next process.
    lif = bx.LIF(10)

    def source():
        leaves, static = eqx.partition(lif, eqx.is_array)
        flat, treedef = jax.tree.flatten(leaves)

        def step(*f):
            m = eqx.combine(jax.tree.unflatten(treedef, f), static)
            return jax.tree.leaves(eqx.filter(m.step(jnp.ones(10), 0.1), eqx.is_array))

        program = _flatten.flatten(jax.make_jaxpr(step)(*flat))
        return _codegen.Generator(program, len(flat), "S").generate()[0]

    assert source() == source()


def test_unsupported_operations_are_named():
    poisson = bx.inputs.PoissonGroup(100, rate=10.0, key=jax.random.key(0))
    with pytest.raises(ValueError, match="cannot translate the step of PoissonGroup"):
        bx.native_step(poisson, None, 0.1)

    class Dense(eqx.Module):
        v: bx.Hidden
        w: jax.Array

        def step(self, x, dt):
            return eqx.tree_at(lambda m: m.v.value, self, self.w @ self.v.value)

    dense = Dense(bx.Hidden(jnp.ones(3)), jnp.eye(3))
    with pytest.raises(ValueError, match="primitive `dot_general`.*native=True"):
        bx.native_step(dense, None, 0.1)


def test_native_argument_is_checked():
    with pytest.raises(TypeError, match="native"):
        bx.simulate(bx.LIF(3), 1.0, dt=0.1, native="yes")


def test_literals_are_exact():
    # Hexadecimal float literals: the C++ constant is the float32 value itself.
    for value in (0.1, 1 / 3, 1e-38, 6.02e23):
        x = np.float32(value)
        text = _codegen.literal(x, np.dtype(np.float32))
        assert text.startswith("float(") and float.fromhex(text[6:-1]) == float(x)
    assert "quiet_NaN" in _codegen.literal(np.nan, np.dtype(np.float32))
    assert _codegen.literal(-np.inf, np.dtype(np.float64)) == (
        "-std::numeric_limits<double>::infinity()"
    )


# Regressions from a review of the generator: each model below gave a wrong
# result, failed to build or crashed before the fix. `_add_spiking_rows` is
# what bx.connect.EventDriven calls: (targets, offsets, spikes, w, into).


def _scatter_kernel():
    # The FFI target that bx.connect.EventDriven calls, built and registered.
    from brainox.connect import _native

    assert _native.load() is None
    return _native._add_spiking_rows


def _rows(n_pre):
    # Every presynaptic neuron's row holds one synapse, onto neuron 0.
    return jnp.zeros(n_pre, jnp.int32), jnp.arange(n_pre + 1, dtype=jnp.int32)


def test_a_sum_in_an_output_buffer_survives_a_loop_of_another_size():
    add_rows = _scatter_kernel()

    class Net(eqx.Module):
        g: bx.Hidden  # one neuron, fed by rows
        h: bx.Hidden  # three neurons reading g (broadcast)
        s: jax.Array
        targets: jax.Array
        offsets: jax.Array

        def step(self, x, dt):
            g = add_rows(
                self.targets, self.offsets, self.s, jnp.float32(2.0), self.g.value
            )
            return eqx.tree_at(
                lambda m: (m.g.value, m.h.value), self, (g * 0.5, self.h.value + g)
            )

    f32 = jnp.float32
    net = Net(
        bx.Hidden(jnp.array([1.0], f32)),
        bx.Hidden(jnp.zeros(3, f32)),
        jnp.array([1.0, 0, 1, 1], f32),
        *_rows(4),
    )
    _same_as_xla(net)  # h = 7, not g * 0.5 = 3.5


def test_weights_and_spikes_read_before_their_states_are_replaced():
    add_rows = _scatter_kernel()

    class Net(eqx.Module):
        w: bx.Hidden
        q: bx.Hidden
        r: bx.Hidden
        g: bx.Hidden
        spikes: bx.Hidden
        s: jax.Array
        targets: jax.Array
        offsets: jax.Array
        w0: jax.Array

        def step(self, x, dt):
            new_w = self.q.value * 2
            r = add_rows(self.targets, self.offsets, self.s, jnp.float32(1.0), new_w)
            # The old w as a one-element weight, and a 0-d weight computed here.
            g = add_rows(self.targets, self.offsets, self.s, self.w.value, self.g.value)
            g = add_rows(self.targets, self.offsets, self.s, self.w0[0], g)
            # Rows added into the vector that is also the spikes.
            s = self.spikes.value
            s = add_rows(self.targets[:2], self.offsets[:3], s, jnp.float32(2.0), s)
            return eqx.tree_at(
                lambda m: (m.w.value, m.r.value, m.g.value, m.spikes.value),
                self,
                (new_w, r, g, s),
            )

    one = jnp.array([3.0], jnp.float32)
    f32 = jnp.float32
    net = Net(
        bx.Hidden(one),
        bx.Hidden(one * 3),
        bx.Hidden(one * 0),
        bx.Hidden(one * 0),
        bx.Hidden(jnp.array([1.0, 1.0], f32)),
        jnp.array([1.0, 0, 1, 1], f32),
        *_rows(4),
        jnp.array([5.0], f32),
    )
    _same_as_xla(net)


def test_integer_division_by_zero_and_overflow_follow_xla():
    class Ints(eqx.Module):
        a: bx.Hidden
        c: bx.Hidden
        small: bx.Hidden

        def step(self, x, dt):
            a, c = self.a.value, self.c.value
            q = jnp.where(c != 0, a // c, 0) + jax.lax.div(a, c) + jax.lax.rem(a, c)
            wrapped = ((a + 1) < a) | (jnp.abs(a) < 0)
            return eqx.tree_at(
                lambda m: (m.a.value, m.c.value, m.small.value),
                self,
                (q, wrapped.astype(jnp.int32), self.small.value + x),
            )

    big, low = np.iinfo(np.int32).max, np.iinfo(np.int32).min
    net = Ints(
        bx.Hidden(jnp.array([7, -7, 3, low, big], jnp.int32)),
        bx.Hidden(jnp.array([2, 0, 1, -1, 0], jnp.int32)),
        bx.Hidden(jnp.array([1, 127], jnp.int8)),
    )
    _same_as_xla(net, 1)  # a Python int keeps the int8 state int8


def test_max_and_min_order_signed_zeros_as_xla():
    class Zeros(eqx.Module):
        z: bx.Hidden
        y: bx.Hidden

        def step(self, x, dt):
            z = self.z.value
            return eqx.tree_at(
                lambda m: (m.z.value, m.y.value),
                self,
                (jnp.maximum(0.0, z), jnp.minimum(z, 0.0)),
            )

    z = jnp.array([-0.0, 0.0, 1.0, -1.0, jnp.nan])
    _same_as_xla(Zeros(bx.Hidden(z), bx.Hidden(z)))


def test_malformed_tables_are_refused():
    add_rows = _scatter_kernel()

    class Net(eqx.Module):
        g: bx.Hidden
        w: jax.Array
        targets: jax.Array
        offsets: jax.Array

        def step(self, x, dt):
            s = jnp.ones(4)
            g = add_rows(self.targets, self.offsets, s, self.w, self.g.value)
            return eqx.tree_at(lambda m: m.g.value, self, g)

    net = Net(bx.Hidden(jnp.zeros(2)), jnp.ones((2, 1)), *_rows(4))
    with pytest.raises(ValueError, match=r"weights of shape \(2, 1\)"):
        bx.native_step(net, None, 0.1)


# Loops of steps: `fused_steps`, what bx.simulate(native=True) runs between
# records, against n single native steps, bit for bit.


class _Carried(eqx.Module):
    """A 0-d state, a vector state updated in place, and one that reads the
    other's old values after the in-place update (so two buffers in turn)."""

    t: bx.Hidden
    a: bx.Hidden
    b: bx.Hidden

    def step(self, x, dt):
        drive, gain = x
        a, b = self.a.value, self.b.value
        new_a = 0.5 * a + 0.25 * b + drive * gain
        new_b = 0.9 * b + a[:1] - 0.5 * a[-1:] + self.t.value
        return eqx.tree_at(
            lambda m: (m.t.value, m.a.value, m.b.value),
            self,
            (self.t.value + dt * gain, new_a, new_b),
        )


def _no_record(model):
    return ()


def _single_steps(model, xs, n, record=_no_record):
    def body(m, x):
        new = bx.native_step(m, x, 0.1)
        return new, record(new)

    return jax.jit(lambda m, xs: jax.lax.scan(body, m, xs, length=n))(model, xs)


def _looped(model, xs, n, record=_no_record):
    def step(m, x):
        new = m.step(x, 0.1)
        return new, record(new)

    return jax.jit(lambda m, xs: fused_steps(step, m, xs, "model", steps=n))(model, xs)


@pytest.mark.parametrize("n", [1, 2, 7])
def test_a_loop_of_steps_equals_single_steps(getkey, n):
    a, b = jax.random.normal(getkey(), (2, 16))
    model = _Carried(bx.Hidden(jnp.asarray(0.0)), bx.Hidden(a), bx.Hidden(b))
    # Per-step inputs: a vector and a scalar, different at every step; per-step
    # outputs: a vector, a 0-d value and a bool vector.
    xs = (jax.random.normal(getkey(), (n, 16)), jnp.linspace(0.5, 1.5, n))

    def record(m):
        return m.b.value * 2.0, m.t.value, m.a.value > 0

    looped, rows = _looped(model, xs, n, record)
    single, expected = _single_steps(model, xs, n, record)
    _assert_identical(single, looped)
    assert looped.t.value.shape == ()
    for row, want in zip(rows, expected, strict=True):
        assert row.shape == want.shape and row.dtype == want.dtype
        np.testing.assert_array_equal(row, want)


@pytest.mark.parametrize("n", [1, 4, 5])
def test_a_loop_of_exchanges_alternates(getkey, n):
    class Exchange(eqx.Module):
        a: bx.Hidden
        b: bx.Hidden

        def step(self, x, dt):
            new = eqx.tree_at(lambda m: m.a.value, self, self.b.value)
            return eqx.tree_at(lambda m: m.b.value, new, self.a.value)

    a, b = jax.random.normal(getkey(), (2, 16))
    out, _ = _looped(Exchange(bx.Hidden(a), bx.Hidden(b)), None, n)
    np.testing.assert_array_equal(out.a.value, b if n % 2 else a)
    np.testing.assert_array_equal(out.b.value, a if n % 2 else b)


def test_a_loop_of_network_steps_equals_single_steps():
    net = bx.presets.coba(400, key=jax.random.key(1), p=0.1)
    _assert_identical(_single_steps(net, None, 300)[0], _looped(net, None, 300)[0])


def test_loop_needs_one_input_row_per_step():
    with pytest.raises(ValueError, match="leading axis of 3"):
        _looped(bx.LIF(4), jnp.ones((2, 4)), 3)


def test_simulate_native_loops_record_and_count_as_xla(monkeypatch):
    # Monitors every 10 steps, inputs from a function and from an array (both
    # changing every step), spike counts and spike events: the looped native
    # run against XLA's, with the loops between records whole and split in
    # shorter blocks (the stacked inputs and spikes capped).
    lif = bx.LIF(64, tau=20.0, V_th=-50.0, V_rest=-65.0, V_reset=-65.0, V_init=-65.0)
    current = jnp.linspace(100.0, 300.0, 64)
    ramp = jnp.outer(jnp.linspace(0.0, 50.0, 1000), jnp.ones(64))
    kwargs = dict(
        dt=0.1,
        inputs=(lambda step, t: current * (1.0 + 0.001 * t), ramp),
        monitors=["V"],
        record_every=10,
        spike_counts={"s": "spike"},
        spikes={"e": "spike"},
    )

    class Summed(eqx.Module):
        lif: bx.LIF

        @property
        def spike(self):
            return self.lif.spike

        @property
        def V(self):
            return self.lif.V

        def step(self, x, dt):
            return Summed(self.lif.step(x[0] + x[1], dt))

    _, xla = bx.simulate(Summed(lif), 100.0, **kwargs)
    assert xla["s"].sum() > 100
    # (192 values per step: blocks of 10, of 2, and of 3 with a last one of 1)
    for cap in (2**22, 2 * 192, 3 * 192):
        monkeypatch.setattr(bx._run, "_NATIVE_VALUES", cap)
        _, native = bx.simulate(Summed(lif), 100.0, native=True, **kwargs)
        np.testing.assert_allclose(native["V"], xla["V"], rtol=1e-6, atol=1e-4)
        np.testing.assert_array_equal(native["s"], xla["s"])
        np.testing.assert_array_equal(native["e"].index, xla["e"].index)
        np.testing.assert_array_equal(native["e"].time, xla["e"].time)


# Regressions from a review of the loops of steps.


def test_spike_records_the_generator_cannot_translate_come_from_xla():
    # A spike record through an operation with no native counterpart
    # (concatenate) runs one native call per step, XLA reading the spikes.
    net = bx.presets.coba(200, key=jax.random.key(0))

    def both(m):
        pops = m.populations
        return jnp.concatenate([pops["exc"].spike.value, pops["inh"].spike.value])

    kwargs = dict(n_steps=200, dt=0.1, spikes={"all": both})
    _, xla = bx.simulate(net, **kwargs)
    _, native = bx.simulate(net, native=True, **kwargs)
    assert len(xla["all"].index) > 20
    np.testing.assert_array_equal(native["all"].index, xla["all"].index)
    np.testing.assert_array_equal(native["all"].time, xla["all"].time)


def test_a_constant_divided_by_a_constant_is_folded_as_xla():
    # XLA folds a division of constants exactly; only a value divided by a
    # constant becomes a multiply by the reciprocal.
    class Folded(eqx.Module):
        v: bx.Hidden
        constant: Callable = eqx.field(static=True)

        def step(self, x, dt):
            v = self.v.value
            return eqx.tree_at(lambda m: m.v.value, self, v + self.constant(v) / 3.0)

    v = bx.Hidden(jnp.linspace(-3.0, 3.0, 100))
    for constant in (lambda v: jnp.full_like(v, 7.0), lambda v: jnp.sqrt(7.0)):
        model = Folded(v, constant)
        # (compiled as a whole, as in simulate: run op by op, XLA sees no
        # constant to fold)
        xla = eqx.filter_jit(lambda m: m.step(None, 0.1))(model)
        _assert_identical(xla, bx.native_step(model, None, 0.1))


def test_a_state_that_changes_dtype_is_refused_before_the_build():
    class Accumulate(eqx.Module):
        v: bx.Hidden

        def step(self, x, dt):
            return eqx.tree_at(lambda m: m.v.value, self, self.v.value + x)

    model = Accumulate(bx.Hidden(jnp.zeros(4, jnp.int32)))
    with pytest.raises(ValueError, match="turns the state `v` from int32"):
        bx.simulate(model, n_steps=3, dt=0.1, inputs=lambda s, t: 0.5, native=True)
    with pytest.raises(
        ValueError, match=r"array 0 from float\d+\[1\] into float\d+\[4\]"
    ):
        _looped(Accumulate(bx.Hidden(jnp.zeros(1))), jnp.ones((3, 4)), 3)


def test_input_functions_that_vmap_cannot_batch_run_step_by_step():
    def host(step):
        return np.float32(300.0 + step)

    def current(step, t):
        shape = jax.ShapeDtypeStruct((), jnp.float32)
        return jax.pure_callback(host, shape, step)

    lif = bx.LIF(8, V_init=-65.0)
    kwargs = dict(n_steps=50, dt=0.1, inputs=current, monitors=["V"], record_every=5)
    _, xla = bx.simulate(lif, **kwargs)
    _, native = bx.simulate(lif, native=True, **kwargs)
    np.testing.assert_allclose(native["V"], xla["V"], rtol=1e-6, atol=1e-4)
