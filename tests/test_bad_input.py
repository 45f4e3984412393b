"""Bad input is refused with an error that names the argument, the value and the fix.

One table of bad arguments to constructors and the runner, each with the message it
must raise; warnings for steps too coarse for a model; and the runtime checks that
survive `jit` (non-finite states, overflows of fixed-size buffers).
"""

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


KEY = jax.random.key(0)
TABLE = bx.connect.OutDegreeTable(jnp.array([[0, 1], [2, 3], [1, 4]]), n_post=4)


def lif_network(n=5):
    return bx.Network({"a": bx.LIF(n)})


def run(model=None, **kwargs):
    kwargs = {"n_steps": 4, "dt": 0.1, **kwargs}
    return bx.simulate(bx.LIF(5) if model is None else model, **kwargs)


def float64_potential(neuron):
    # (`with_states` would cast the value to the state's dtype; a new tag does not.)
    return eqx.tree_at(lambda m: m.V, neuron, bx.Hidden(jnp.zeros(5, jnp.float64)))


def in_x64(f):
    def call():
        with jax.enable_x64(True):
            return f()

    return call


# (id, a call that must fail, the exception, a regex: the argument and the fix)
BAD = [
    # Time constants, sizes and parameters of models.
    ("tau zero", lambda: bx.LIF(3, tau=0.0), ValueError, r"`tau` must be > 0, got 0"),
    ("tau negative", lambda: bx.LIF(3, tau=-1.0), ValueError, r"`tau` must be > 0"),
    (
        "tau one negative",
        lambda: bx.LIF(3, tau=jnp.array([5.0, -1.0, 5.0])),
        ValueError,
        r"`tau` must be > 0, got min -1.0; time constants .* are positive",
    ),
    ("capacitance", lambda: bx.HH(2, C=0.0), ValueError, r"`C` must be > 0"),
    (
        "synapse tau",
        lambda: bx.synapses.Exponential(3, tau=-2.0),
        ValueError,
        r"`tau` must be > 0, got -2.0",
    ),
    (
        "rise time",
        lambda: bx.synapses.DualExponential(3, tau_rise=0.0, tau_decay=5.0),
        ValueError,
        r"`tau_rise` must be > 0",
    ),
    (
        "NaN parameter",
        lambda: bx.LIF(3, tau=jnp.nan),
        ValueError,
        r"`tau` contains NaN; pass finite values",
    ),
    (
        "NaN reversal",
        lambda: bx.outputs.COBA(E=float("nan")),
        ValueError,
        r"`E` contains NaN",
    ),
    (
        "parameter shape",
        lambda: bx.LIF(3, tau=jnp.ones(4)),
        ValueError,
        r"`tau` has shape \(4,\); expected a scalar or shape \(3,\), one value per",
    ),
    (
        "initial value shape",
        lambda: bx.LIF(3, V_init=jnp.zeros((3, 2))),
        ValueError,
        r"`V_init` has shape \(3, 2\)",
    ),
    ("size zero", lambda: bx.LIF(0), ValueError, r"`n` must be a positive integer"),
    (
        "size negative",
        lambda: bx.LIF(-4),
        ValueError,
        r"`n` must be a positive integer",
    ),
    (
        "synapse size",
        lambda: bx.synapses.Exponential(-3),
        ValueError,
        r"`n` must be a positive integer, got -3",
    ),
    (
        "integer dtype",
        lambda: bx.LIF(3, dtype=jnp.int32),
        TypeError,
        r"`dtype` must be a floating dtype such as jnp.float32",
    ),
    (
        "integer key",
        lambda: bx.LIF(3, V_init=bx.init.normal(-60.0, 2.0), key=jnp.array(0)),
        ValueError,
        r"`key` must be a jax.random.key, got an array of dtype int\d+ and shape "
        r"\(\); a seed is not a key: pass `key=jax.random.key\(seed\)`",
    ),
    (
        "batch of keys",
        lambda: bx.LIF(3, V_init=bx.init.normal(-60.0, 2.0), key=jax.random.split(KEY)),
        ValueError,
        r"`key` must be a single jax.random.key, got a batch of shape \(2,\); "
        r"split it",
    ),
    (
        "random init without key",
        lambda: bx.LIF(3, V_init=bx.init.normal(-60.0, 2.0)),
        ValueError,
        r"`V_init` is random .* pass `key=jax.random.key",
    ),
    (
        "utilisation",
        lambda: bx.synapses.TsodyksMarkram(3, U=1.5),
        ValueError,
        r"`U` must be in \(0, 1\]",
    ),
    # Connectivity.
    (
        "probability above 1",
        lambda: bx.connect.fixed_probability(KEY, 5, 4, 1.5),
        ValueError,
        r"`p` must be a probability in \[0, 1\], got 1.5; pass .* e.g. p=0.02",
    ),
    (
        "probability below 0",
        lambda: bx.connect.fixed_probability(KEY, 5, 4, -0.1),
        ValueError,
        r"`p` must be a probability in \[0, 1\], got -0.1",
    ),
    (
        "rewiring probability",
        lambda: bx.connect.small_world(KEY, 10, 4, 1.1),
        ValueError,
        r"`beta` must be a probability in \[0, 1\], got 1.1",
    ),
    (
        "generator key",
        lambda: bx.connect.fixed_probability(jnp.array(7), 5, 4, 0.5),
        ValueError,
        r"`key` must be a jax.random.key, got an array of dtype int\d+",
    ),
    (
        "host generator key",
        lambda: bx.connect.fixed_in_degree(jnp.zeros(2), 5, 4, 2),
        ValueError,
        r"`key` must be a jax.random.key, got an array of dtype float\d+",
    ),
    (
        "in-degree above n_pre",
        lambda: bx.connect.fixed_in_degree(KEY, 5, 4, 6),
        ValueError,
        r"`k` must be an integer in \[0, 5\] \(the in-degree",
    ),
    (
        "edge index too large",
        lambda: bx.connect.from_edges([0, 5], [1, 2], 5, 4),
        ValueError,
        r"`pre\[1\]` is 5, outside \[0, n_pre = 5\); neuron indices run from 0",
    ),
    (
        "edge index negative",
        lambda: bx.connect.from_edges([0, 1], [-1, 2], 5, 4),
        ValueError,
        r"`post\[0\]` is -1, outside \[0, n_post = 4\)",
    ),
    (
        "out-degree negative",
        lambda: bx.connect.fixed_out_degree(KEY, 5, 4, -1),
        ValueError,
        r"`k` must be an integer in \[0, 4\] \(the out-degree",
    ),
    (
        "edge weights count",
        lambda: bx.connect.from_edges([0, 1], [1, 2], 5, 4, weights=[1.0]),
        ValueError,
        r"`weights` has shape \(1,\); expected \(2,\), one weight per edge",
    ),
    (
        "procedural rule",
        lambda: bx.connect.Procedural(KEY, 10, 10, in_degree=3, p=0.1),
        ValueError,
        r"give exactly one of `in_degree` .* and `p`",
    ),
    (
        "edge count mismatch",
        lambda: bx.connect.from_edges([0, 1, 2], [1, 2], 5, 4),
        ValueError,
        r"`pre` and `post` must have the same length",
    ),
    (
        "dense NaN",
        lambda: bx.connect.from_dense(jnp.array([[0.0, jnp.nan], [1.0, 0.0]])),
        ValueError,
        r"`W` holds NaN \(first at index \(0, 1\)\); pass finite weights",
    ),
    (
        "dense not a matrix",
        lambda: bx.connect.from_dense(jnp.ones(3)),
        ValueError,
        r"`W` must be a non-empty 2-D matrix",
    ),
    (
        "table index out of range",
        lambda: bx.connect.OutDegreeTable(jnp.array([[0, 7]]), n_post=4),
        ValueError,
        r"`indices` holds values in \[0, 7\], outside \[0, n_post = 4\]",
    ),
    (
        "table float indices",
        lambda: bx.connect.OutDegreeTable(jnp.array([[0.0, 1.0]]), n_post=4),
        ValueError,
        r"`indices` must be a 2-D integer array .* with a generator",
    ),
    (
        "procedural capacity",
        lambda: bx.connect.Procedural(KEY, 100, 50, p=0.5, capacity=4),
        ValueError,
        r"more than capacity = 4 .* capacity=8",
    ),
    # Projections and delays.
    (
        "weight shape",
        lambda: bx.Projection("a", "b", TABLE, jnp.ones(3)),
        ValueError,
        r"`weight` has shape \(3,\); expected a scalar or per-synapse weights .* "
        r"\(3, 2\)",
    ),
    (
        "weight NaN",
        lambda: bx.Projection("a", "b", TABLE, jnp.array([[1.0, jnp.nan]] * 3)),
        ValueError,
        r"`weight` holds NaN; pass finite weights",
    ),
    (
        "integer plastic weight",
        lambda: bx.Projection("a", "b", TABLE, bx.LongTerm(jnp.ones((3, 2), int))),
        TypeError,
        r"`weight` is a LongTerm of dtype int.*; plastic weights must be floating",
    ),
    (
        "synapse size mismatch",
        lambda: bx.Projection("a", "b", TABLE, 1.0, synapse=bx.synapses.Exponential(7)),
        ValueError,
        r"`synapse` has 7 post neurons but `connectivity` has n_post = 4",
    ),
    (
        "delay without dt",
        lambda: bx.Projection("a", "b", TABLE, 1.0, delay=2.0),
        ValueError,
        r"`delay` = 2.0 ms needs the simulation step: pass `dt=`",
    ),
    (
        "delay below half a step",
        lambda: bx.Projection("a", "b", TABLE, 1.0, delay=0.02, dt=0.1),
        ValueError,
        r"`delay` \(0.02 ms\) is shorter than half a step .* smallest delay is one",
    ),
    (
        "delay longer than the buffer",
        lambda: bx.delays.HeterogeneousDelay(TABLE, 3.0, 0.1, max_delay=1.0),
        ValueError,
        r"is 30 steps, longer than the buffer of max_delay = 1.0 ms .* raise "
        r"`max_delay` to at least 3 ms",
    ),
    (
        "delay per synapse shape",
        lambda: bx.delays.HeterogeneousDelay(TABLE, jnp.ones((2, 2)), 0.1),
        ValueError,
        r"`delay` has shape \(2, 2\); expected one delay \(ms\) per synapse",
    ),
    (
        "delay size",
        lambda: bx.delays.HomogeneousDelay(0, 1.0, dt=0.1),
        ValueError,
        r"`n_pre` must be a positive integer, got 0",
    ),
    (
        "delay step",
        lambda: bx.delays.HomogeneousDelay(5, 1.0, dt=0.0),
        ValueError,
        r"`dt` must be a positive number of ms, got 0.0",
    ),
    # Inputs.
    (
        "negative rate",
        lambda: bx.inputs.PoissonGroup(
            5, jnp.array([1.0, -3.0, 1.0, 1.0, 1.0]), key=KEY
        ),
        ValueError,
        r"`rate` must be >= 0, got min -3.0",
    ),
    (
        "NaN rate",
        lambda: bx.inputs.PoissonGroup(5, jnp.nan, key=KEY),
        ValueError,
        r"`rate` contains NaN",
    ),
    (
        "input count",
        lambda: bx.inputs.PoissonInput("a", 0, 1.0, 1.0, key=KEY, dt=0.1, size=3),
        ValueError,
        r"`n` must be a positive integer, got 0",
    ),
    # Networks.
    (
        "unknown population",
        lambda: bx.Network(
            {"a": bx.LIF(3)}, {"p": bx.Projection("a", "b", TABLE, 1.0)}
        ),
        ValueError,
        r"projection 'p' names post population 'b', which is not in `populations`",
    ),
    (
        "network input shape",
        lambda: lif_network().step({"a": jnp.ones(4)}, 0.1),
        ValueError,
        r"input to population 'a' has shape \(4,\) per step, but the population "
        r"has shape \(5,\); pass a scalar or one value per neuron",
    ),
    (
        "neuron step with dt zero",
        lambda: bx.LIF(5).step(jnp.ones(5), 0.0),
        ValueError,
        r"`dt` must be a positive number of ms, got 0.0",
    ),
    (
        "synapse step with negative dt",
        lambda: bx.synapses.Exponential(5, tau=5.0).step(None, -0.1),
        ValueError,
        r"`dt` must be a positive number of ms, got -0.1",
    ),
    (
        "network input that is not a dict",
        lambda: lif_network().step(jnp.ones(5), 0.1),
        TypeError,
        r"a network's input is a dict from population names to inputs, got "
        r"ArrayImpl; pass e.g. `\{'a': value\}`|parameter 'x'",
    ),
    (
        "rate model input shape",
        lambda: bx.rates.WilsonCowan(5).step({"I": jnp.ones(3)}, 0.1),
        ValueError,
        r"input to WilsonCowan \('I'\) has shape \(3,\) per step, but the "
        r"population has shape \(5,\)",
    ),
    (
        "rate model input shape in simulate",
        lambda: run(bx.rates.StuartLandau(5), inputs=jnp.ones((4, 2))),
        ValueError,
        r"input to StuartLandau \('x'\) has shape \(2,\) per step",
    ),
    (
        "implicit solver without tolerances",
        lambda: bx.AdEx(5, solver=diffrax.Kvaerno3()),
        ValueError,
        r"solver=Kvaerno3\(...\) has a root finder without tolerances",
    ),
    # The runner.
    ("dt NaN", lambda: run(dt=float("nan")), ValueError, r"`dt` must be a positive"),
    ("dt inf", lambda: run(dt=float("inf")), ValueError, r"`dt` .* got inf"),
    (
        "n_steps negative",
        lambda: run(n_steps=-3),
        ValueError,
        r"`n_steps` must be a positive integer, got -3",
    ),
    (
        "checkpoint_every zero",
        lambda: run(checkpoint_every=0),
        ValueError,
        r"`checkpoint_every` must be a positive integer, got 0",
    ),
    (
        "neuron input shape",
        lambda: run(inputs=jnp.ones((4, 3))),
        ValueError,
        r"input to the neuron \(`inputs`\) has shape \(3,\) per step, but the "
        r"population has shape \(5,\)",
    ),
    (
        "neuron input function shape",
        lambda: run(inputs=lambda step, t: jnp.ones(2)),
        ValueError,
        r"input to the neuron \(`inputs`\) has shape \(2,\)",
    ),
    (
        "network input shape in simulate",
        lambda: run(lif_network(), inputs={"a": jnp.ones((4, 6))}),
        ValueError,
        r"input to population 'a' has shape \(6,\) per step",
    ),
    (
        "input of an unknown population",
        lambda: run(lif_network(), inputs={"b": jnp.ones((4, 5))}),
        ValueError,
        r"inputs name populations \['b'\] that are not in the network",
    ),
    (
        "float64 state in a float32 model",
        in_x64(lambda: run(float64_potential(bx.LIF(5)))),
        ValueError,
        r"the states of `model` \(LIF\) mix dtypes: `V` is float64, `spike` is "
        r"float32. Build the model with .*`dtype=jnp.float64`\), or cast",
    ),
    (
        "model without step",
        lambda: run(model=jnp.ones(3)),
        TypeError,
        r"has no `step\(x, dt\)` method",
    ),
]


@pytest.mark.parametrize(
    "make, error, message", [case[1:] for case in BAD], ids=[case[0] for case in BAD]
)
def test_bad_input_is_refused_with_a_message_that_names_it(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_the_table_has_at_least_30_distinct_cases():
    assert len(BAD) >= 30 and len({case[0] for case in BAD}) == len(BAD)


@pytest.mark.parametrize(
    "model, dt, message",
    [
        (bx.LIF(3, tau=0.15), 0.1, r"too coarse for `tau` = 0.15 ms.* dt <= 0.075 ms"),
        (bx.HH(2), 0.2, r"too coarse for `model` \(HH\).* dt <= 0.1 ms"),
        (
            bx.Network(
                {"a": bx.LIF(4)},
                {
                    "aa": bx.Projection(
                        "a",
                        "a",
                        bx.connect.OutDegreeTable(jnp.zeros((4, 1), int), n_post=4),
                        1.0,
                        synapse=bx.synapses.DualExponential(4, tau_rise=0.3),
                    )
                },
            ),
            0.25,
            r"too coarse for `projections.aa.synapse.tau_rise` = 0.3 ms.* dt <= 0.15",
        ),
    ],
    ids=["lif", "hh", "synapse in a network"],
)
def test_a_step_too_coarse_for_the_fastest_time_constant_warns(model, dt, message):
    with pytest.warns(UserWarning, match=message):
        bx.simulate(model, n_steps=2, dt=dt)


def test_a_step_of_half_the_fastest_time_constant_does_not_warn():
    # filterwarnings = error: any warning fails this test.
    bx.simulate(bx.LIF(3, tau=0.2), n_steps=2, dt=0.1)
    bx.simulate(bx.HH(2), n_steps=2, dt=0.1)


def two_populations():
    table = bx.connect.fixed_probability(jax.random.key(1), 6, 4, 0.5)
    return bx.Network(
        {"inh": bx.LIF(6), "exc": bx.LIF(4, tau=10.0)},
        {"ie": bx.Projection("inh", "exc", table, 0.5)},
    )


def blow_up_at(step_bad):
    # A current that turns infinite from step `step_bad` on.
    return lambda step, t: jnp.where(step >= step_bad, jnp.inf, 100.0)


def test_check_finite_names_the_state_and_the_step():
    net = two_populations()
    with pytest.raises(
        eqx.EquinoxRuntimeError,
        match=r"`populations.exc.V` holds NaN or inf after step 37 \(t = 3.8 ms\)",
    ):
        bx.simulate(
            net,
            n_steps=60,
            dt=0.1,
            inputs={"exc": blow_up_at(37)},
            chunk_size=20,  # step 37 is in the second chunk: steps are absolute
            check_finite=True,
        )
    # Without the check the same run goes through, NaN and all, from step 37 on.
    _, rec = bx.simulate(
        net,
        n_steps=60,
        dt=0.1,
        inputs={"exc": blow_up_at(37)},
        monitors=["populations.exc.V"],
    )
    finite = np.isfinite(rec["populations.exc.V"]).all(axis=1)
    assert finite[:37].all() and not finite[37:].any()


def test_check_finite_works_under_jit_and_grad():
    def loss(current):
        neuron = bx.LIF(3, tau=10.0, surrogate=bx.surrogate.Sigmoid(1.0))
        _, rec = bx.simulate(
            neuron,
            n_steps=30,
            dt=0.1,
            inputs=lambda step, t: jnp.where(step >= 12, jnp.inf, current),
            monitors=["V"],
            check_finite=True,
        )
        return jnp.sum(rec["V"])

    with pytest.raises(eqx.EquinoxRuntimeError, match=r"`V` holds NaN .* step 12"):
        jax.block_until_ready(eqx.filter_jit(jax.grad(loss))(100.0))


def test_check_finite_off_adds_nothing_and_on_changes_no_result():
    net = two_populations()
    kwargs = dict(n_steps=200, dt=0.1, inputs={"exc": lambda s, t: 500.0})

    def jaxpr(**options):
        def f(weight):
            model = eqx.tree_at(lambda n: n.projections["ie"].weight, net, weight)
            return bx.simulate(
                model, monitors=["populations.exc.V"], **kwargs, **options
            )[1]

        return str(jax.make_jaxpr(f)(jnp.asarray(0.5)))

    off, on = jaxpr(), jaxpr(check_finite=True)
    assert "callback" not in off and "callback" in on
    assert jaxpr(check_finite=False) == off
    final_off, rec_off = bx.simulate(
        net, monitors=["populations.exc.V"], spikes=["populations.exc.spike"], **kwargs
    )
    final_on, rec_on = bx.simulate(
        net,
        monitors=["populations.exc.V"],
        spikes=["populations.exc.spike"],
        check_finite=True,
        **kwargs,
    )
    assert len(rec_on["populations.exc.spike"].index) > 10
    np.testing.assert_array_equal(
        rec_off["populations.exc.V"], rec_on["populations.exc.V"]
    )
    np.testing.assert_array_equal(
        rec_off["populations.exc.spike"].index, rec_on["populations.exc.spike"].index
    )
    np.testing.assert_array_equal(
        final_off.populations["exc"].V.value, final_on.populations["exc"].V.value
    )


def test_the_spike_record_keeps_every_spike_when_all_neurons_fire_every_step():
    # The largest possible spike count: 37 neurons x 300 steps. The record is one
    # bit per neuron and step, so nothing is dropped whatever the activity.
    always = bx.LIF(37, V_reset=-40.0, V_th=-50.0, V_init=-40.0)
    _, rec = bx.simulate(always, n_steps=300, dt=0.1, spikes=["spike"], chunk_size=64)
    ev = rec["spike"]
    assert len(ev.index) == 37 * 300
    np.testing.assert_array_equal(ev.step, np.repeat(np.arange(300), 37))
    np.testing.assert_array_equal(ev.index, np.tile(np.arange(37), 300))


def firing_network(projection):
    # Every presynaptic neuron fires every step into 50 post neurons.
    pre = bx.LIF(100, V_reset=-40.0, V_th=-50.0, V_init=-40.0)
    return bx.Network({"pre": pre, "post": bx.LIF(50)}, {"pp": projection})


def procedural_overflow(key):
    # Traced key: the capacity cannot be checked at construction, only per step.
    conn = bx.connect.Procedural(key, 100, 50, p=0.5, capacity=4)
    return firing_network(bx.Projection("pre", "post", conn, 0.1))


DELAY_TABLE = bx.connect.fixed_probability(jax.random.key(2), 100, 50, 0.1)


def delay_overflow(delay):
    # Traced delays: the buffer of max_delay = 1 ms is too short for 1.5 ms.
    table = DELAY_TABLE
    d = jnp.broadcast_to(delay, table.indices.shape)
    delays = bx.delays.HeterogeneousDelay(table, d, 0.1, max_delay=1.0)
    return firing_network(bx.Projection("pre", "post", table, 0.1, delay=delays))


@pytest.mark.parametrize(
    "build, argument, message",
    [
        (procedural_overflow, KEY, r"more than capacity = 4 presynaptic partners"),
        (delay_overflow, 1.5, r"longer than the buffer of 10 steps; raise `max_delay`"),
    ],
    ids=["procedural capacity", "delay buffer"],
)
def test_buffer_overflows_inside_a_compiled_simulation_are_reported(
    build, argument, message
):
    def spikes(x):
        _, rec = bx.simulate(
            build(x), n_steps=5, dt=0.1, monitors=["populations.post.V"]
        )
        return rec["populations.post.V"]

    with pytest.raises(eqx.EquinoxRuntimeError, match=message):
        jax.block_until_ready(eqx.filter_jit(spikes)(argument))
