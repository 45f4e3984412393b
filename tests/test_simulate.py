"""The runner: inputs, monitors, decimation, compact spikes, chunks, checkpoints."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


def noisy_population(n=50, seed=0):
    return bx.LIF(
        n,
        tau=10.0,
        R=100.0,
        V_rest=-65.0,
        V_reset=-70.0,
        V_th=-50.0,
        t_ref=2.0,
        V_init=bx.init.uniform(-70.0, -50.0),
        key=jax.random.key(seed),
    )


def drive(n=50, n_steps=2000, seed=1):
    return 120.0 + 120.0 * jax.random.uniform(jax.random.key(seed), (n_steps, n))


def test_decimation_records_every_kth_step():
    neuron, x = noisy_population(), drive()
    _, full = bx.simulate(neuron, n_steps=2000, dt=0.1, inputs=x, monitors=["V"])
    _, dec = bx.simulate(
        neuron, n_steps=2000, dt=0.1, inputs=x, monitors=["V"], record_every=10
    )
    np.testing.assert_array_equal(dec["V"], full["V"][9::10])
    np.testing.assert_allclose(dec["t"], full["t"][9::10])
    assert dec["V"].shape == (200, 50)


@pytest.mark.parametrize("n", [1, 50, 63, 64, 65, 200])
@pytest.mark.parametrize("level", [120.0, 400.0])
def test_compact_spike_events_equal_the_dense_spike_record(n, level):
    # Rows of 1 to 25 bytes (not whole 64-bit words, exactly one, one more),
    # sparse or dense spikes (a strong drive fires most neurons every few
    # steps), in one chunk or several.
    x = level + level * jax.random.uniform(jax.random.key(1), (2000, n))
    _, rec = bx.simulate(
        noisy_population(n),
        n_steps=2000,
        dt=0.1,
        inputs=x,
        monitors={"dense": lambda m: m.spike.value},
        spikes={"pop": "spike"},
        chunk_size=2000 if n == 50 else 700,
    )
    steps, ids = np.nonzero(rec["dense"])
    assert len(steps) > 2 * n
    np.testing.assert_array_equal(rec["pop"].step, steps)
    np.testing.assert_array_equal(rec["pop"].index, ids)
    np.testing.assert_allclose(rec["pop"].time, (steps + 1) * 0.1, rtol=1e-6)


def test_spike_counts_are_the_spikes_of_each_neuron_over_the_run():
    neuron, x = noisy_population(), drive()
    kwargs = dict(n_steps=2000, dt=0.1, inputs=x, record_every=10)
    _, rec = bx.simulate(
        neuron,
        monitors={"dense": lambda m: m.spike.value},
        spikes={"events": "spike"},
        spike_counts={"count": "spike", "again": lambda m: m.spike.value},
        chunk_size=300,  # totals carry over chunks, the last one uneven
        **kwargs,
    )
    events = np.bincount(rec["events"].index, minlength=50)
    assert rec["count"].dtype == np.int32 and rec["count"].shape == (50,)
    assert events.sum() > 100
    np.testing.assert_array_equal(rec["count"], events)
    np.testing.assert_array_equal(rec["again"], events)
    # Counting sees every step, whatever record_every: the record of every
    # 10th step holds about a tenth of the spikes.
    assert rec["dense"].sum() < events.sum() / 5


@pytest.mark.parametrize("first, then", [(None, ["spike"]), (["spike"], None)])
def test_adding_or_dropping_spike_counts_on_resume_is_refused(tmp_path, first, then):
    kwargs = dict(n_steps=200, dt=0.1, inputs=drive(n_steps=200), chunk_size=100)
    neuron = noisy_population()
    bx.simulate(neuron, checkpoint=tmp_path / "c", spike_counts=first, **kwargs)
    with pytest.raises(ValueError, match="is of another run"):
        bx.simulate(neuron, checkpoint=tmp_path / "c", spike_counts=then, **kwargs)


def test_spike_counts_are_writable_numpy_arrays():
    _, rec = bx.simulate(
        noisy_population(),
        n_steps=200,
        dt=0.1,
        inputs=drive(n_steps=200),
        spike_counts=["spike"],
    )
    rec["spike"][:5] = 0  # like the monitors, the user's to change
    assert isinstance(rec["spike"], np.ndarray) and rec["spike"][:5].sum() == 0


def test_recordings_with_the_same_name_are_refused():
    with pytest.raises(ValueError, match="'spike' is in both `spikes` and"):
        bx.simulate(
            noisy_population(),
            10.0,
            dt=0.1,
            spikes=["spike"],
            spike_counts=["spike"],
        )


def test_chunked_run_is_bit_identical_to_one_chunk():
    neuron, x = noisy_population(), drive()
    kwargs = dict(
        n_steps=2000, dt=0.1, inputs=x, monitors=["V"], spikes=["spike"], record_every=5
    )
    final1, one = bx.simulate(neuron, **kwargs)
    final2, many = bx.simulate(neuron, chunk_size=300, **kwargs)  # uneven last chunk
    np.testing.assert_array_equal(one["V"], many["V"])
    np.testing.assert_array_equal(one["spike"].index, many["spike"].index)
    np.testing.assert_array_equal(final1.V.value, final2.V.value)


def test_same_key_same_spikes_and_functions_of_time_as_inputs():
    def run(seed):
        neuron = noisy_population(seed=seed)
        _, rec = bx.simulate(
            neuron,
            100.0,
            dt=0.1,
            spikes=["spike"],
            inputs=lambda step, t: 160.0 + 80.0 * jnp.sin(2 * jnp.pi * t / 25.0),
        )
        return rec["spike"]

    a, b, c = run(3), run(3), run(4)
    np.testing.assert_array_equal(a.index, b.index)
    assert len(a.index) != len(c.index) or not np.array_equal(a.index, c.index)


def test_inputs_mix_arrays_and_functions_in_a_pytree():
    class Two(bx.AbstractDynamics):
        x: bx.Hidden
        solver: object

        def vector_field(self, t, y, args):
            return {"x": args["a"] + args["b"]}

    model = Two(bx.Hidden(jnp.zeros(())), bx.RK4())
    ramp = jnp.arange(100, dtype=jnp.float32)
    _, rec = bx.simulate(
        model,
        n_steps=100,
        dt=0.5,
        monitors=["x"],
        inputs={"a": ramp, "b": lambda step, t: 2.0 * t},
    )
    # x' = step + 2 t, t = step dt: x_n = sum_i (i + 2 i dt) dt = (1 + 2dt) dt sum i.
    i = np.arange(100)
    np.testing.assert_allclose(rec["x"], np.cumsum(i * (1 + 2 * 0.5) * 0.5), rtol=1e-6)


def test_monitor_names_reach_into_lists():
    # State paths index lists as check_finite names them: "layers.1.V".
    class Stack(eqx.Module):
        layers: list

        def step(self, x, dt):
            return Stack([layer.step(x, dt) for layer in self.layers])

    model = Stack([bx.LIF(3), bx.LIF(3, tau=10.0)])
    _, rec = bx.simulate(
        model, n_steps=20, dt=0.1, inputs=lambda s, t: 300.0, monitors=["layers.1.V"]
    )
    _, own = bx.simulate(
        model.layers[1], n_steps=20, dt=0.1, inputs=lambda s, t: 300.0, monitors=["V"]
    )
    np.testing.assert_array_equal(rec["layers.1.V"], own["V"])
    with pytest.raises(AttributeError, match="list has no field '2'"):
        bx.simulate(model, n_steps=2, dt=0.1, monitors=["layers.2.V"])


def test_string_monitors_reuse_the_compiled_run():
    neuron, x = noisy_population(), drive(n_steps=100)
    bx.simulate(neuron, n_steps=100, dt=0.1, inputs=x, monitors=["V"], spikes=["spike"])
    options = tuple(sorted(bx.default_compiler_options().items()))
    run = bx._run._compiled_run_chunk(options, False)
    checked, compiled = list(bx._run._CHECKED), run._cached._cache_size()
    assert compiled >= 1
    bx.simulate(neuron, n_steps=100, dt=0.1, inputs=x, monitors=["V"], spikes=["spike"])
    assert run._cached._cache_size() == compiled
    assert list(bx._run._CHECKED) == checked  # no second check either


def test_spikes_under_grad_come_back_bit_packed_and_counts_stay_on_the_device():
    def loss(current):
        neuron = bx.LIF(10, tau=10.0, R=40.0, V_rest=0.0, V_reset=0.0, V_th=15.0)
        _, rec = bx.simulate(
            neuron,
            50.0,
            dt=0.1,
            inputs=lambda s, t: current,
            monitors={"dense": "spike"},
            spikes=["spike"],
            spike_counts={"count": "spike"},
        )
        bits = jnp.unpackbits(rec["spike"], axis=1, count=10)
        return jnp.sum(rec["dense"]), (bits, rec["dense"], rec["count"])

    g, (bits, dense, count) = jax.grad(loss, has_aux=True)(500.0)
    assert np.isfinite(g) and g > 0
    assert bits.shape == (500, 10) and int(bits.sum()) > 10
    np.testing.assert_array_equal(bits, np.asarray(dense) > 0)
    np.testing.assert_array_equal(count, bits.sum(axis=0))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(duration=10.0, dt=0.0), ValueError, "`dt` must be a positive"),
        (dict(duration=10.0, dt=-0.1), ValueError, "`dt` must be a positive"),
        (dict(duration=10.05, dt=0.1), ValueError, "not a whole number of steps"),
        # Off by half a step at 2 x 10^6 steps, or shorter than one step.
        (dict(duration=200000.15, dt=0.1), ValueError, "not a whole number of"),
        (dict(duration=1e-8, dt=0.1), ValueError, "not a whole number of steps"),
        (dict(duration=np.inf, dt=0.1), ValueError, "`duration` must be a finite"),
        (dict(duration=10.0, n_steps=100, dt=0.1), ValueError, "exactly one of"),
        (dict(n_steps=100, dt=0.1, record_every=3), ValueError, "multiples of"),
        (dict(n_steps=100, dt=0.1, chunk_size=0), ValueError, "`chunk_size` must"),
        (
            dict(n_steps=100, dt=0.1, inputs=jnp.ones((99, 50))),
            ValueError,
            "leading axis of n_steps = 100",
        ),
        (
            dict(n_steps=100, dt=0.1, inputs=jnp.ones(50)),
            ValueError,
            "lambda step, t: value",
        ),
        (
            dict(n_steps=100, dt=0.1, inputs={"a": lambda s, t: 0.0, "b": jnp.ones(9)}),
            ValueError,
            r"`inputs\['b'\]` has shape \(9,\)",
        ),
        (dict(n_steps=10, dt=0.1, monitors=["W"]), AttributeError, "no field 'W'"),
        (
            dict(n_steps=10, dt=0.1, monitors={"pair": lambda m: (m.V, m.V)}),
            TypeError,
            "monitor 'pair' returned a tuple; a monitor returns one array",
        ),
        (dict(n_steps=10, dt=0.1, monitors={"t": "V"}), ValueError, "name 't'"),
    ],
)
def test_bad_runner_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        bx.simulate(noisy_population(), **kwargs)


def test_gradients_through_simulate_match_finite_differences_and_remat():
    def loss(tau, dtype=jnp.float32, **options):
        # Subthreshold (V stays > 5 mV below V_th), and the triangle surrogate has
        # compact support, so the BPTT gradient is the true derivative.
        neuron = bx.LIF(
            4,
            tau=tau,
            R=100.0,
            V_rest=-65.0,
            V_th=-40.0,
            surrogate=bx.surrogate.Triangle(1.0),
            dtype=dtype,
        )
        _, rec = bx.simulate(
            neuron, 50.0, dt=0.1, inputs=lambda s, t: 200.0, monitors=["V"], **options
        )
        return jnp.mean(rec["V"])

    g = jax.grad(loss)(jnp.asarray(15.0))
    g_remat = jax.grad(lambda t: loss(t, chunk_size=100, remat=True))(jnp.asarray(15.0))
    with jax.enable_x64(True):
        h = 1e-3
        f64 = lambda tau: loss(jnp.asarray(tau, jnp.float64), jnp.float64)
        fd = (f64(15.0 + h) - f64(15.0 - h)) / (2 * h)
    assert float(g) == pytest.approx(float(fd), rel=1e-3)
    assert float(g_remat) == pytest.approx(float(g), rel=1e-5)
    # Outside grad, remat changes nothing (and runs with the compiled loop).
    np.testing.assert_array_equal(
        loss(jnp.asarray(15.0), chunk_size=100, remat=True), loss(jnp.asarray(15.0))
    )


def test_progress_bar_runs(capsys):
    bx.simulate(
        noisy_population(),
        n_steps=200,
        dt=0.1,
        inputs=drive(n_steps=200),
        chunk_size=50,
        progress=True,
    )
    assert "200/200" in capsys.readouterr().err


CHILD = textwrap.dedent(
    """
    import sys, time
    import jax, jax.numpy as jnp, numpy as np
    import brainox as bx

    ckpt, out = sys.argv[1], sys.argv[2]

    def slow_drive(step, t):
        # Slow the run down on the host so the parent can kill it part-way.
        pause = lambda: jax.debug.callback(lambda: time.sleep(0.05))
        jax.lax.cond(step % 250 == 0, pause, lambda: None)
        key = jax.random.fold_in(jax.random.key(1), step)
        return 120.0 + 120.0 * jax.random.uniform(key, (50,))

    neuron = bx.LIF(50, tau=10.0, R=100.0, V_rest=-65.0, V_reset=-70.0, V_th=-50.0,
                    t_ref=2.0, V_init=bx.init.uniform(-70.0, -50.0),
                    key=jax.random.key(0))
    final, rec = bx.simulate(neuron, n_steps=16000, dt=0.1, inputs=slow_drive,
                             monitors=["V"], record_every=10, spikes=["spike"],
                             spike_counts={"count": "spike"}, chunk_size=2000,
                             checkpoint=ckpt, checkpoint_every=1)
    np.savez(out, V=rec["V"], step=rec["spike"].step, index=rec["spike"].index,
             count=rec["count"], final=final.V.value)
    """
)


def test_kill_and_resume_is_bit_identical(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    run = lambda ckpt, out: [
        sys.executable,
        str(script),
        str(tmp_path / ckpt),
        str(tmp_path / out),
    ]

    child = subprocess.Popen(run("ckpt", "resumed.npz"), env=env)
    progress = tmp_path / "ckpt" / "progress.json"
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline and child.poll() is None:
        if progress.exists():
            done = json.loads(progress.read_text())["chunks_done"]
            if done >= 2:
                break
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert 2 <= done < 8, "the child must be killed part-way"
    assert not (tmp_path / "resumed.npz").exists()

    subprocess.run(run("ckpt", "resumed.npz"), env=env, check=True)
    subprocess.run(run("fresh", "uninterrupted.npz"), env=env, check=True)
    resumed = np.load(tmp_path / "resumed.npz")
    fresh = np.load(tmp_path / "uninterrupted.npz")
    assert resumed["V"].shape == (1600, 50)
    for key in ("V", "step", "index", "count", "final"):
        np.testing.assert_array_equal(resumed[key], fresh[key])
    per_neuron = np.bincount(resumed["index"], minlength=50)
    np.testing.assert_array_equal(resumed["count"], per_neuron)


def test_checkpoint_keeps_other_files_and_low_precision_records(tmp_path, monkeypatch):
    # The directory may hold the user's own files: only the run's own files are
    # replaced. bfloat16 recordings (NumPy files store them as raw bytes) resume
    # as bfloat16, equal to an uninterrupted run.
    ckpt = tmp_path / "c"
    ckpt.mkdir()
    mine = {"stimulus.npz": b"stimulus", "trained.eqx": b"weights", "notes.tmp": b"x"}
    for name, content in mine.items():
        (ckpt / name).write_bytes(content)
    neuron = bx.LIF(10, R=100.0, t_ref=2.0, dtype=jnp.bfloat16)
    kwargs = dict(
        n_steps=40,
        dt=0.1,
        inputs=lambda s, t: jnp.bfloat16(3000.0),
        monitors=["V"],
        spike_counts=["spike"],
        chunk_size=10,
    )
    fresh_final, fresh = bx.simulate(neuron, **kwargs)
    save = bx._run._save_checkpoint
    saves = []

    def interrupted(*args):
        save(*args)
        saves.append(1)
        if len(saves) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(bx._run, "_save_checkpoint", interrupted)
    with pytest.raises(KeyboardInterrupt):
        bx.simulate(neuron, checkpoint=ckpt, **kwargs)
    monkeypatch.undo()
    final, rec = bx.simulate(neuron, checkpoint=ckpt, **kwargs)
    assert rec["V"].dtype == jnp.bfloat16 and rec["V"].shape == (40, 10)
    assert int(fresh["spike"].sum()) > 0
    for a, b in ((rec["V"], fresh["V"]), (final.V.value, fresh_final.V.value)):
        np.testing.assert_array_equal(
            np.asarray(a, np.float32), np.asarray(b, np.float32)
        )
    np.testing.assert_array_equal(rec["spike"], fresh["spike"])
    # A finished run found in the checkpoint comes back the same way.
    _, again = bx.simulate(neuron, checkpoint=ckpt, **kwargs)
    assert again["V"].dtype == jnp.bfloat16
    np.testing.assert_array_equal(
        np.asarray(again["V"], np.float32), np.asarray(fresh["V"], np.float32)
    )
    for name, content in mine.items():
        assert (ckpt / name).read_bytes() == content


def test_checkpoint_of_another_run_is_refused(tmp_path):
    neuron, x = noisy_population(), drive()

    def run(model, chunk_size, **kwargs):
        return bx.simulate(
            model,
            n_steps=2000,
            dt=0.1,
            inputs=x,
            chunk_size=chunk_size,
            checkpoint=tmp_path / "c",
            **kwargs,
        )

    run(neuron, 500)
    with pytest.raises(ValueError, match="is of another run .chunk_size: saved 500"):
        run(neuron, 1000)
    # A model with other parameters (here tau) is another run too.
    other = eqx.tree_at(lambda n: n.tau, neuron, neuron.tau * 2)
    with pytest.raises(ValueError, match="another run .parameters: saved '[0-9a-f]+'"):
        run(other, 500)
    # resume=False starts afresh and overwrites it.
    _, rec = run(neuron, 1000, resume=False, monitors=["V"])
    assert rec["V"].shape == (2000, 50)
