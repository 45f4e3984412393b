"""A checkpointed network run killed part-way resumes to the uninterrupted result.

A subprocess simulates a small network with Poisson input, a synaptic delay and
two recorded populations, checkpointing every two chunks; it is killed with
SIGKILL once a checkpoint exists, and a second subprocess resumes from it. The
resumed spikes, recordings and final states (the random keys and delay buffers
included) must equal those of an uninterrupted run bit for bit, with a torn
temporary file (a write cut short) left in the checkpoint directory.
"""

import json
import os
import signal
import subprocess
import sys
import time

import jax
import numpy as np

import brainox as bx


N_STEPS, CHUNK, EVERY = 3000, 250, 2  # 12 chunks, a checkpoint every 2


def network():
    key_table, key_input = jax.random.split(jax.random.key(3))
    table = bx.connect.fixed_probability(key_table, 20, 8, 0.4)
    return bx.Network(
        populations={"exc": bx.LIF(20, tau=10.0, t_ref=2.0), "inh": bx.LIF(8)},
        projections={
            "drive": bx.inputs.PoissonInput(
                "exc", 50, 20.0, 2.0, key=key_input, dt=0.1, size=20
            ),
            "ei": bx.Projection(
                "exc",
                "inh",
                table,
                60.0,  # pA
                synapse=bx.synapses.Exponential(8, tau=5.0),
                delay=1.5,
                dt=0.1,
            ),
        },
    )


def run(checkpoint=None):
    return bx.simulate(
        network(),
        n_steps=N_STEPS,
        dt=0.1,
        monitors={"V": "populations.exc.V", "g": "projections.ei.synapse.g"},
        record_every=10,
        spikes={"exc": "populations.exc.spike", "inh": "populations.inh.spike"},
        chunk_size=CHUNK,
        checkpoint=checkpoint,
        checkpoint_every=EVERY,
    )


def flatten(final, rec) -> dict[str, np.ndarray]:
    out = {f"state {p}": np.asarray(s.value) for p, s in bx.list_states(final).items()}
    for name in ("V", "g", "t"):
        out[name] = np.asarray(rec[name])
    for name in ("exc", "inh"):
        out[f"{name}.step"] = rec[name].step
        out[f"{name}.index"] = rec[name].index
    return out


CHILD = """
import sys, time
sys.path.insert(0, {tests!r})
import numpy as np
import brainox as bx
import test_kill_resume as t

# A slow disk: each checkpoint takes a while, so the parent can kill the run
# between two of them (the computation itself is untouched).
save = bx._run._save_checkpoint
def slow_save(*args):
    save(*args)
    time.sleep(0.3)
bx._run._save_checkpoint = slow_save

final, rec = t.run(checkpoint=sys.argv[1])
np.savez(sys.argv[2], **t.flatten(final, rec))
"""


def test_killed_run_resumes_bit_for_bit(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(tests=os.path.dirname(__file__)))
    ckpt, out = tmp_path / "ckpt", tmp_path / "resumed.npz"
    command = [sys.executable, str(script), str(ckpt), str(out)]
    env = dict(os.environ, JAX_PLATFORMS="cpu")

    child = subprocess.Popen(command, env=env)
    progress = ckpt / "progress.json"
    done, deadline = 0, time.time() + 120
    while time.time() < deadline and child.poll() is None and done < EVERY:
        if progress.exists():
            done = json.loads(progress.read_text())["chunks_done"]
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    # Killed after at least one checkpoint and before the end of the run.
    assert child.returncode == -signal.SIGKILL
    assert EVERY <= done < N_STEPS // CHUNK
    assert not out.exists()

    # A write cut short leaves only a temporary file: resuming ignores it (the
    # checkpoint named by progress.json is whole) and clears it at the next save.
    torn = ckpt / f"model-{done + 1}.eqx.tmp"
    torn.write_bytes(b"\x00" * 7)
    subprocess.run(command, env=env, check=True, timeout=300)
    assert not torn.exists()
    assert not [f for f in os.listdir(ckpt) if f.endswith(".tmp")]
    resumed = np.load(out)
    expected = flatten(*run())
    assert sorted(resumed.files) == sorted(expected)
    assert len(expected["exc.index"]) > 100 and len(expected["inh.index"]) > 10
    for name, value in expected.items():
        np.testing.assert_array_equal(resumed[name], value, err_msg=name)
