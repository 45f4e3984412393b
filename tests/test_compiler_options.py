"""`bx.simulate`'s XLA compiler options: what they are, that they change no
result, and how they are passed, refused and dropped inside outer transforms."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx
from pulse import Pulse


CPU = {
    "xla_cpu_copy_insertion_use_region_analysis": True,
    "xla_cpu_prefer_vector_width": 512,
}


def test_defaults_per_platform():
    assert bx.default_compiler_options("cpu") == CPU
    for platform in ("gpu", "cuda", "rocm", "tpu"):
        assert bx.default_compiler_options(platform) == {}
    assert bx.default_compiler_options() == bx.default_compiler_options(
        jax.default_backend()
    )
    # A fresh dict each time: changing one does not change the defaults.
    options = bx.default_compiler_options("cpu")
    options["xla_cpu_prefer_vector_width"] = 256
    assert bx.default_compiler_options("cpu") == CPU
    # (Under the jaxtyping test hook its check names the argument first.)
    with pytest.raises(TypeError, match="platform"):
        bx.default_compiler_options(jax.devices()[0])  # pyright: ignore


def _run(net, options, duration=200.0):
    names = {"exc": "populations.exc.spike", "inh": "populations.inh.spike"}
    return bx.simulate(
        net,
        duration,
        dt=0.1,
        spikes=names,
        monitors={"V": lambda m: m.populations["exc"].V.value[:5]},
        compiler_options=options,
    )


@pytest.mark.parametrize("preset", [bx.presets.coba, bx.presets.cobahh])
def test_options_change_no_result(preset):
    # The options change buffer copies and vector width, not the arithmetic: the
    # same spikes, potentials and final state as with XLA's own defaults.
    net = preset(1000, key=jax.random.key(3))
    ours, rec = _run(net, None)
    xla, rec_xla = _run(net, {})
    for name in ("exc", "inh"):
        assert len(rec[name].index) > 100
        np.testing.assert_array_equal(rec[name].step, rec_xla[name].step)
        np.testing.assert_array_equal(rec[name].index, rec_xla[name].index)
    np.testing.assert_array_equal(rec["V"], rec_xla["V"])
    for a, b in zip(
        jax.tree.leaves(bx.states(ours)), jax.tree.leaves(bx.states(xla)), strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_options_reach_the_compiled_loop():
    neuron = bx.LIF(50, V_init=-55.0)
    bx.simulate(neuron, n_steps=20, dt=0.1, inputs=lambda s, t: 300.0)
    with pytest.raises(Exception, match="no_such_xla_option"):
        bx.simulate(
            neuron,
            n_steps=20,
            dt=0.1,
            inputs=lambda s, t: 300.0,
            compiler_options={"no_such_xla_option": True},
        )


@pytest.mark.parametrize(
    "bad",
    [
        [("xla_cpu_prefer_vector_width", 512)],
        {1: True},
        {"xla_cpu_prefer_vector_width": [512]},
    ],
)
def test_bad_options_are_refused(bad):
    with pytest.raises(TypeError, match="compiler_options"):
        bx.simulate(bx.LIF(3), n_steps=2, dt=0.1, compiler_options=bad)


def test_inside_jit_with_a_closed_over_model():
    # A nested jit takes the outer one's options; simulate drops its own rather
    # than fail, and gives the same result as at top level.
    neuron = bx.LIF(20, V_init=bx.init.uniform(-65.0, -50.0), key=jax.random.key(0))

    def final_V(current):
        out, _ = bx.simulate(neuron, n_steps=300, dt=0.1, inputs=lambda s, t: current)
        return out.V.value

    top = final_V(jnp.float32(260.0))
    inside = jax.jit(final_V)(jnp.float32(260.0))
    closed = jax.jit(lambda: final_V(jnp.float32(260.0)))()
    np.testing.assert_array_equal(top, inside)
    np.testing.assert_array_equal(top, closed)


def test_grad_through_simulate_with_options():
    # Under grad the outer transform's (XLA's) options apply; the result equals
    # that of an explicit `compiler_options={}` run.
    neuron = bx.LIF(4, V_init=-60.0)

    def loss(current, options):
        out, _ = bx.simulate(
            neuron,
            n_steps=100,
            dt=0.1,
            inputs=lambda s, t: current,
            compiler_options=options,
        )
        return jnp.sum(out.V.value)

    g_default = jax.grad(loss)(jnp.float32(150.0), None)
    g_xla = jax.grad(loss)(jnp.float32(150.0), {})
    assert np.isfinite(g_default) and g_default != 0
    np.testing.assert_array_equal(g_default, g_xla)


def test_platform_follows_committed_arrays(monkeypatch):
    # A model placed on a device by `jax.device_put` takes that device's
    # options; an unplaced one follows JAX's default backend.
    net = bx.LIF(3)
    placed = jax.device_put(net, jax.devices("cpu")[0])
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    assert bx._compiler_options.platform_of(net) == "gpu"
    assert bx._compiler_options.platform_of(placed) == "cpu"
    assert bx.default_compiler_options() == {}
    monkeypatch.undo()
    out, _ = bx.simulate(placed, n_steps=10, dt=0.1, inputs=lambda s, t: 500.0)
    reference, _ = bx.simulate(
        net, n_steps=10, dt=0.1, inputs=lambda s, t: 500.0, compiler_options={}
    )
    np.testing.assert_array_equal(out.V.value, reference.V.value)


@pytest.mark.parametrize("n", [5, 200])
@pytest.mark.parametrize("delay", [None, "per-synapse"])
@pytest.mark.parametrize("record_every", [1, 4])
def test_small_inner_loops_lose_no_spike(n, delay, record_every):
    # XLA's CPU backend moves small inner `while` loops (here the event loop over a
    # one-to-one table, whose per-iteration update is one value, and the steps
    # between records of a tiny network) into calls after copy insertion; with
    # region-based copy analysis that lost the order between the loop reading
    # the source's spikes and the step overwriting them, so every spike was
    # lost. simulate leaves the analysis out of such loops: every post neuron
    # receives its spike, exactly as with XLA's defaults.
    table = bx.connect.one_to_one(n)
    steps = None if delay is None else np.full(table.indices.shape, 0.5)
    net = bx.Network(
        {
            "src": Pulse(n, 2),
            "post": bx.LIF(n, tau=10.0, V_rest=0.0, V_reset=0.0, V_th=1e6, V_init=0.0),
        },
        {
            "p": bx.Projection(
                "src",
                "post",
                table,
                1.0,  # delta synapse: +1 mV per spike
                dt=0.1,
                delay=steps,
                propagation=bx.connect.EventDriven(kernel="xla"),
            )
        },
    )

    def run(options):
        return bx.simulate(
            net,
            n_steps=12,
            dt=0.1,
            record_every=record_every,
            monitors={"V": "populations.post.V"},
            compiler_options=options,
        )

    ours, rec = run(None)
    xla, rec_xla = run({})
    np.testing.assert_array_equal(rec["V"], rec_xla["V"])
    # Every neuron got its 1 mV, decayed with tau_m = 10 ms over the steps from
    # its arrival on: the spike of step 2 arrives in step 3 without a delay, in
    # step 2 + 5 through 0.5 ms.
    arrival = 3 if delay is None else 7
    expected = np.exp(-0.1 * (12 - arrival) / 10.0)
    np.testing.assert_allclose(ours.populations["post"].V.value, expected, rtol=1e-5)


def test_the_loop_is_checked_once_per_signature(monkeypatch):
    # simulate checks XLA's compiled loop for the hoisted small loop once per
    # signature of a chunk (structure, static values, array types), so a second
    # call of the same run costs no extra lowering; another length, or the
    # verdict "unsafe" remembered, behave as a first check does.
    checked = []

    def hoisted(text):
        checked.append(text)
        return True  # as if XLA had moved a small loop: analysis off

    monkeypatch.setattr(bx._run, "has_hoisted_loop", hoisted)
    monkeypatch.setattr(bx._run, "_CHECKED", {})
    lif = bx.LIF(8, V_init=bx.init.uniform(-70.0, -50.0), key=jax.random.key(0))
    kwargs = dict(dt=0.1, inputs=lambda step, t: 300.0, monitors=["V"])
    first = bx.simulate(lif, n_steps=20, **kwargs)[1]["V"]
    second = bx.simulate(lif, n_steps=20, **kwargs)[1]["V"]
    assert len(checked) == 1
    np.testing.assert_array_equal(first, second)
    bx.simulate(lif, n_steps=30, **kwargs)
    assert len(checked) == 2
    bx.simulate(bx.LIF(9), n_steps=20, **kwargs)
    assert len(checked) == 3
