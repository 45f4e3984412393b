"""NIR export/import: round trips, the discretisation convention, files, errors."""

import itertools
import subprocess
import sys

import equinox as eqx
import jax
import jax.numpy as jnp
import nir
import numpy as np
import pytest

import brainox as bx


F32 = jnp.float32
"""The layers' dtype (eqx.nn defaults to float64 in 64-bit mode, bx.nn and
from_nir to float32; conv needs one dtype)."""


def _simulate(model, xs):
    """Outputs and every layer's spikes over time, from rest."""
    ys, _, spikes = bx.nn.run(bx.reset(model), xs, record=bx.nn.record_spikes)
    return ys, spikes


def _assert_same_run(model, imported, xs):
    ys, spikes = _simulate(model, xs)
    ys2, spikes2 = _simulate(imported, xs)
    assert list(spikes) == list(spikes2)
    for path in spikes:
        total = float(spikes[path].sum())
        assert 0 < total < spikes[path].size, f"{path} fires {total} spikes"
        np.testing.assert_array_equal(spikes[path], spikes2[path])
    np.testing.assert_allclose(ys, ys2, rtol=1e-6, atol=1e-6)


def _mlp(getkey):
    beta = jnp.linspace(0.8, 0.95, 16)  # one decay per neuron
    return bx.nn.Sequential(
        [
            eqx.nn.Linear(6, 16, key=getkey()),
            bx.nn.LIF(16, beta=beta, threshold=0.5),
            eqx.nn.Linear(16, 4, use_bias=False, key=getkey()),
            bx.nn.LI(4, beta=0.9),
        ]
    )


def _convnet(getkey):
    return bx.nn.Sequential(
        [
            eqx.nn.Conv2d(1, 3, 3, padding=1, key=getkey(), dtype=F32),
            bx.nn.LIF((3, 6, 6), beta=0.85, threshold=0.3, reset="zero"),
            eqx.nn.Lambda(jnp.ravel),
            eqx.nn.Linear(108, 5, key=getkey(), dtype=F32),
            bx.nn.LIF(5, beta=0.9, threshold=0.2),
        ]
    )


def test_mlp_round_trip_is_identical(getkey):
    model = _mlp(getkey)
    graph = bx.interop.to_nir(model, 6, dt=0.5)
    kinds = [type(graph.nodes[name]).__name__ for name, _ in graph.edges]
    assert kinds == ["Input", "Affine", "LIF", "Linear", "LI"]
    lif = graph.nodes["lif_1"]
    # exact convention: tau = -dt / ln(beta), r = tau / dt (gain 1), v_leak = 0
    beta = np.float64(np.float32([0.8, 0.95]))  # the layer's float32 decays
    np.testing.assert_allclose(lif.tau[[0, -1]], 0.5 / -np.log(beta), rtol=1e-12)
    np.testing.assert_allclose(lif.r, lif.tau / 0.5, rtol=1e-12)
    np.testing.assert_array_equal(lif.v_threshold, np.full(16, 0.5))
    assert lif.metadata == {"reset": "subtract"}
    assert graph.nodes["output"].output_type["output"].tolist() == [4]

    imported = bx.interop.from_nir(graph)  # dt from the graph's metadata
    np.testing.assert_array_equal(imported[1].beta, model[1].beta)
    assert imported[1].reset == "subtract"
    xs = jax.random.uniform(getkey(), (40, 6), minval=-0.5, maxval=1.5)
    _assert_same_run(model, imported, xs)


def test_convnet_round_trip_through_file_is_identical(getkey, tmp_path):
    model = _convnet(getkey)
    path = tmp_path / "convnet.nir"
    nir.write(path, bx.interop.to_nir(model, (1, 6, 6), dt=1.0))
    graph = nir.read(path)
    conv, flatten = graph.nodes["conv2d_0"], graph.nodes["flatten_2"]
    assert tuple(conv.padding) == (1, 1) and tuple(conv.stride) == (1, 1)
    assert graph.nodes["lif_1"].metadata == {"reset": "zero"}
    assert flatten.output_type["output"].tolist() == [108]

    imported = bx.interop.from_nir(graph)
    assert [type(layer).__name__ for layer in imported.layers] == [
        "Conv2d",
        "LIF",
        "Lambda",
        "Linear",
        "LIF",
    ]
    xs = jax.random.uniform(getkey(), (30, 1, 6, 6), F32, maxval=1.0)
    _assert_same_run(model, imported, xs)


def test_avg_and_sum_pooling_round_trip(getkey):
    sum_pool = eqx.nn.Pool(0, jax.lax.add, 2, 2, 2)
    model = bx.nn.Sequential(
        [
            eqx.nn.Conv2d(
                1, 2, 3, padding="SAME", use_bias=False, key=getkey(), dtype=F32
            ),
            eqx.nn.AvgPool2d(2, 2),
            bx.nn.LIF((2, 4, 4), beta=0.9, threshold=0.2),
            sum_pool,
            eqx.nn.Lambda(jnp.ravel),
            bx.nn.LI(8, beta=1.0),
        ]
    )
    graph = bx.interop.to_nir(model, (1, 8, 8), dt=2.0)
    kinds = [type(graph.nodes[post]).__name__ for _, post in graph.edges]
    assert kinds == [
        "Conv2d",
        "AvgPool2d",
        "LIF",
        "SumPool2d",
        "Flatten",
        "I",
        "Output",
    ]
    np.testing.assert_array_equal(graph.nodes["i_5"].r, np.full(8, 0.5))  # 1 / dt
    imported = bx.interop.from_nir(graph)
    assert imported[0].bias is None  # zero NIR bias -> no bias
    xs = jax.random.uniform(getkey(), (20, 1, 8, 8), F32, maxval=1.0)
    _assert_same_run(model, imported, xs)


def test_export_infers_shapes_of_float64_layers(getkey):
    # eqx.nn layers are float64 in 64-bit mode; shape inference feeds them
    # their own dtype (a float32 probe made conv refuse the mix).
    with jax.enable_x64(True):
        conv = eqx.nn.Conv2d(1, 2, 3, padding=1, key=getkey(), dtype=jnp.float64)
        model = bx.nn.Sequential([conv, bx.nn.LIF((2, 4, 4), beta=0.9)])
        graph = bx.interop.to_nir(model, (1, 4, 4))
    assert graph.nodes["conv2d_0"].output_type["output"].tolist() == [2, 4, 4]


def test_strided_conv1d_round_trip(getkey):
    model = bx.nn.Sequential(
        [
            eqx.nn.Conv1d(2, 3, 3, stride=2, padding=1, key=getkey(), dtype=F32),
            bx.nn.LIF((3, 5), beta=0.8, threshold=0.2),
            jnp.ravel,
            eqx.nn.Linear(15, 4, use_bias=False, key=getkey(), dtype=F32),
            bx.nn.LI(4, beta=0.7),
        ]
    )
    graph = bx.interop.to_nir(model, (2, 10))
    conv = graph.nodes["conv1d_0"]
    assert (conv.stride, conv.padding, conv.input_shape) == (2, 1, 10)
    assert conv.output_type["output"].tolist() == [3, 5]
    imported = bx.interop.from_nir(graph)
    assert isinstance(imported[0], eqx.nn.Conv1d) and imported[0].stride == (2,)
    xs = jax.random.uniform(getkey(), (25, 2, 10), F32, maxval=1.5)
    _assert_same_run(model, imported, xs)


@pytest.mark.parametrize("discretization", ["exact", "euler"])
def test_nir_built_graph_matches_hand_simulation(getkey, discretization):
    """A graph built with nir's own constructors runs as the documented convention:
    V[t] = beta V[t-1] + (r dt / tau) (W x[t] + b), beta = exp(-dt/tau) or
    1 - dt/tau, spike when V >= v_threshold, then V = 0."""
    dt, n_in, n = 0.25, 3, 4
    rng = np.random.default_rng(0)
    weight, bias = rng.normal(size=(n, n_in)), rng.normal(size=n) * 0.1
    tau = np.array([2.0, 5.0, 10.0, 20.0])
    r = np.array([1.0, 2.0, 4.0, 8.0])  # input gains r dt / tau != 1
    threshold = np.array([0.02, 0.05, 0.05, 0.1])
    graph = nir.NIRGraph(
        nodes={
            "in": nir.Input(input_type=np.array([n_in])),
            "fc": nir.Affine(weight=weight, bias=bias),
            "lif": nir.LIF(tau=tau, r=r, v_leak=np.zeros(n), v_threshold=threshold),
            "out": nir.Output(output_type=np.array([n])),
        },
        edges=[("in", "fc"), ("fc", "lif"), ("lif", "out")],
    )
    model = bx.interop.from_nir(graph, dt=dt, discretization=discretization)
    assert isinstance(model[1], bx.interop.Scale)  # the input gain
    xs = np.asarray(jax.random.uniform(getkey(), (60, n_in), maxval=2.0))
    spikes, _, V = bx.nn.run(model, jnp.asarray(xs), record=lambda m: m[-1].V.value)

    beta = np.exp(-dt / tau) if discretization == "exact" else 1 - dt / tau
    v, want_spikes, want_V = np.zeros(n), [], []
    for x in xs:
        v = beta * v + r * dt / tau * (weight @ x + bias)
        s = v >= threshold
        v = np.where(s, 0.0, v)
        want_spikes.append(s)
        want_V.append(v)
    assert 0 < np.sum(want_spikes) < np.size(want_spikes)
    np.testing.assert_array_equal(spikes, np.array(want_spikes, np.float32))
    np.testing.assert_allclose(V, np.array(want_V), rtol=1e-5, atol=1e-6)


def test_nir_built_cuba_lif_matches_hand_simulation(getkey):
    """CubaLIF: I[t] = alpha I[t-1] + (w_in dt / tau_syn) x[t],
    V[t] = beta V[t-1] + (r dt / tau_mem) I[t], alpha = exp(-dt/tau_syn),
    beta = exp(-dt/tau_mem), spike when V >= v_threshold, then V = 0."""
    dt, n = 0.5, 3
    tau_syn, tau_mem = np.array([2.0, 4.0, 8.0]), np.array([10.0, 5.0, 20.0])
    r, w_in, threshold = np.array([3.0, 10.0, 40.0]), np.array([2.0, 8.0, 0.5]), 0.4
    cuba = nir.CubaLIF(
        tau_syn=tau_syn,
        tau_mem=tau_mem,
        r=r,
        v_leak=np.zeros(n),
        v_threshold=np.full(n, threshold),
        w_in=w_in,
    )
    model = bx.interop.from_nir(nir.NIRGraph.from_list(cuba), dt=dt)
    assert [type(layer).__name__ for layer in model.layers] == ["Scale", "CubaLIF"]
    xs = np.asarray(jax.random.uniform(getkey(), (50, n), maxval=1.0))
    spikes, _, V = bx.nn.run(model, jnp.asarray(xs), record=lambda m: m[-1].V.value)

    alpha, beta = np.exp(-dt / tau_syn), np.exp(-dt / tau_mem)
    i, v, want_spikes, want_V = np.zeros(n), np.zeros(n), [], []
    for x in xs:
        i = alpha * i + w_in * dt / tau_syn * x
        v = beta * v + r * dt / tau_mem * i
        s = v >= threshold
        v = np.where(s, 0.0, v)
        want_spikes.append(s)
        want_V.append(v)
    assert 0 < np.sum(want_spikes) < np.size(want_spikes)
    np.testing.assert_array_equal(spikes, np.array(want_spikes, np.float32))
    np.testing.assert_allclose(V, np.array(want_V), rtol=1e-5, atol=1e-6)


def test_cuba_lif_round_trip_and_snntorch_synaptic_convention(getkey):
    model = bx.nn.Sequential(
        [
            eqx.nn.Linear(5, 6, key=getkey()),
            bx.nn.CubaLIF(6, alpha=jnp.linspace(0.5, 0.9, 6), beta=0.9, threshold=0.3),
        ]
    )
    graph = bx.interop.to_nir(model, 5, dt=1e-4, discretization="euler")
    node = graph.nodes["cubalif_1"]
    # snnTorch's Synaptic export: tau = dt / (1 - decay), r = tau_mem / dt,
    # w_in = tau_syn / dt
    alpha = np.float64(np.asarray(model[1].alpha)).ravel()
    np.testing.assert_allclose(node.tau_syn, 1e-4 / (1 - alpha), rtol=1e-12)
    np.testing.assert_allclose(node.tau_mem, np.full(6, 1e-4 / (1 - np.float32(0.9))))
    np.testing.assert_allclose(node.w_in, node.tau_syn / 1e-4, rtol=1e-12)
    np.testing.assert_allclose(node.r, node.tau_mem / 1e-4, rtol=1e-12)
    imported = bx.interop.from_nir(graph)
    assert [type(layer).__name__ for layer in imported.layers] == ["Linear", "CubaLIF"]
    xs = jax.random.uniform(getkey(), (30, 5), minval=-0.5, maxval=1.0)
    _assert_same_run(model, imported, xs)


def test_snntorch_convention_imports_back_to_its_beta():
    """snnTorch exports Leaky(beta) as tau = dt / (1 - beta), r = tau / dt with
    dt = 1e-4; the euler import recovers beta with unit gain, the exact one does not."""
    dt, beta, n = 1e-4, np.array([0.9, 0.8, 0.5]), 3
    tau = dt / (1 - beta)
    lif = nir.LIF(tau=tau, r=tau / dt, v_leak=np.zeros(n), v_threshold=np.ones(n))
    graph = nir.NIRGraph.from_list(nir.Linear(weight=np.eye(n)), lif)
    euler = bx.interop.from_nir(graph, dt=dt, discretization="euler")
    assert [type(layer).__name__ for layer in euler.layers] == ["Linear", "LIF"]
    np.testing.assert_allclose(euler[1].beta.ravel(), beta, rtol=1e-6)
    exact = bx.interop.from_nir(graph, dt=dt)
    np.testing.assert_allclose(exact[1].beta.ravel(), np.exp(beta - 1), rtol=1e-6)


def test_leak_free_and_euler_export_round_trip(getkey):
    model = bx.nn.Sequential(
        [eqx.nn.Linear(4, 5, key=getkey()), bx.nn.LIF(5, beta=1.0, threshold=0.3)]
    )
    graph = bx.interop.to_nir(model, 4, dt=0.1, discretization="euler")
    node = graph.nodes["if_1"]
    assert isinstance(node, nir.IF)
    np.testing.assert_allclose(node.r, np.full(5, 10.0))
    assert graph.metadata == {"dt": 0.1, "discretization": "euler"}
    xs = jax.random.uniform(getkey(), (30, 4), minval=-1.0, maxval=1.0)
    _assert_same_run(model, bx.interop.from_nir(graph), xs)

    leaky = bx.nn.Sequential([bx.nn.LIF(3, beta=0.75)])
    tau = bx.interop.to_nir(leaky, 3, dt=0.1, discretization="euler").nodes["lif_0"].tau
    np.testing.assert_allclose(tau, np.full(3, 0.1 / 0.25))  # dt / (1 - beta)


def _graph(*middle, n=2):
    nodes = {"in": nir.Input(input_type=np.array([n]))}
    nodes.update({f"n{i}": node for i, node in enumerate(middle)})
    nodes["out"] = nir.Output(output_type=np.array([n]))
    names = list(nodes)
    return nir.NIRGraph(nodes=nodes, edges=list(itertools.pairwise(names)))


def test_unsupported_models_and_graphs_raise(getkey):
    alif = bx.nn.Sequential([bx.nn.ALIF(3)])
    with pytest.raises(TypeError, match="Layer 0 of the model.*ALIF.*to_nir supports"):
        bx.interop.to_nir(alif, 3)
    maxpool = bx.nn.Sequential([eqx.nn.MaxPool2d(2, 2)])
    with pytest.raises(TypeError, match="no max"):
        bx.interop.to_nir(maxpool, (1, 4, 4))
    with pytest.raises(ValueError, match="`beta` from 0.0"):
        bx.interop.to_nir(bx.nn.Sequential([bx.nn.LIF(2, beta=0.0)]), 2)
    with pytest.raises(ValueError, match="`in_shape`"):
        bx.interop.to_nir(alif, (0, 3))
    with pytest.raises(ValueError, match="`dt`.*> 0"):
        bx.interop.to_nir(alif, 3, dt=-1.0)
    with pytest.raises(ValueError, match="`discretization`"):
        bx.interop.to_nir(alif, 3, discretization="rk4")
    lopsided = eqx.nn.Conv2d(1, 1, 2, padding=((0, 1), (0, 1)), key=getkey())
    with pytest.raises(ValueError, match="pads asymmetrically"):
        bx.interop.to_nir(bx.nn.Sequential([lopsided]), (1, 4, 4))
    with pytest.raises(ValueError, match="Layer 1 \\(LIF\\).*shape \\(3,\\)"):
        bx.interop.to_nir(bx.nn.Sequential([eqx.nn.Lambda(jnp.ravel), bx.nn.LIF(2)]), 3)
    with pytest.raises(ValueError, match="`scale` must be an array"):
        bx.interop.Scale(2.0)

    ones, zeros = np.ones(2), np.zeros(2)
    threshold = _graph(nir.Threshold(threshold=ones))
    with pytest.raises(ValueError, match="'n0' is a Threshold.*supported node types"):
        bx.interop.from_nir(threshold, dt=1.0)
    with pytest.raises(ValueError, match="`dt` is needed"):
        bx.interop.from_nir(threshold)
    leak = _graph(nir.LIF(tau=ones, r=ones, v_leak=ones, v_threshold=ones))
    with pytest.raises(ValueError, match="'n0' \\(LIF\\): `v_leak` must be 0"):
        bx.interop.from_nir(leak, dt=1.0)
    partial = nir.NIRGraph.from_list(
        nir.Flatten(input_type={"input": np.array([2, 3, 4])}, start_dim=1)
    )
    with pytest.raises(ValueError, match="flattening of all"):
        bx.interop.from_nir(partial, dt=1.0)
    fast = _graph(nir.LI(tau=ones * 0.5, r=ones, v_leak=zeros))
    with pytest.raises(ValueError, match="tau >= dt for 'euler'"):
        bx.interop.from_nir(fast, dt=1.0, discretization="euler")
    branch = nir.NIRGraph(
        nodes={
            "in": nir.Input(input_type=np.array([2])),
            "a": nir.Scale(scale=ones),
            "b": nir.Scale(scale=ones),
            "out": nir.Output(output_type=np.array([2])),
        },
        edges=[("in", "a"), ("in", "b"), ("a", "out"), ("b", "out")],
    )
    with pytest.raises(ValueError, match="chain graphs.*'in' has 0 incoming"):
        bx.interop.from_nir(branch, dt=1.0)
    with pytest.raises(TypeError, match="`graph` must be a nir.NIRGraph"):
        bx.interop.from_nir(nir.Scale(scale=ones), dt=1.0)


def test_nir_is_imported_lazily_with_a_clear_error(monkeypatch):
    probe = "import sys, brainox; print('nir' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
    monkeypatch.setitem(sys.modules, "nir", None)  # as if nir were not installed
    with pytest.raises(ImportError, match="pip install 'brainox\\[nir\\]'"):
        bx.interop.to_nir(bx.nn.Sequential([bx.nn.LIF(2)]), 2)


def _run_snntorch(net, xs):
    import torch
    from snntorch import utils

    utils.reset(net)
    outs = []
    with torch.no_grad():
        for x in xs:
            out = net(torch.tensor(x[None]))  # spikes, or a tuple led by them
            outs.append((out[0] if isinstance(out, tuple) else out).numpy().ravel())
    return np.array(outs)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:nirtorch.extract_nir_graph:DeprecationWarning")
def test_snntorch_runs_the_same_network_both_ways(getkey):
    """brainox -> NIR -> snnTorch and snnTorch -> NIR -> brainox give the same spikes
    at every step (snnTorch's convention: dt = 1e-4, Euler, reset to zero)."""
    import snntorch as snn
    import torch
    from snntorch.export_nir import export_to_nir
    from snntorch.import_nir import import_from_nir

    xs = np.asarray(jax.random.uniform(getkey(), (60, 6), minval=-0.5, maxval=3.0))
    second = eqx.nn.Linear(10, 4, key=getkey())
    model = bx.nn.Sequential(
        [
            eqx.nn.Linear(6, 10, key=getkey()),
            bx.nn.LIF(10, beta=0.9, threshold=0.5, reset="zero"),
            eqx.tree_at(lambda m: m.weight, second, jnp.abs(second.weight)),
            bx.nn.CubaLIF(4, alpha=0.7, beta=0.85, threshold=2.0, reset="zero"),
        ]
    )
    graph = bx.interop.to_nir(model, 6, dt=1e-4, discretization="euler")
    ours, _ = bx.nn.run(model, jnp.asarray(xs))
    theirs = _run_snntorch(import_from_nir(graph), xs)
    assert 0 < ours.sum() < ours.size
    np.testing.assert_array_equal(ours, theirs)

    torch.manual_seed(0)
    full = lambda n, v: torch.full((n,), v)  # noqa: E731 (per-neuron, as NIR needs)
    net = torch.nn.Sequential(
        torch.nn.Linear(6, 10),
        snn.Leaky(beta=full(10, 0.9), threshold=full(10, 0.5), **_SNNTORCH_ZERO),
        torch.nn.Linear(10, 4),
        snn.Synaptic(
            alpha=full(4, 0.7),
            beta=full(4, 0.85),
            threshold=full(4, 0.1),
            output=True,
            **_SNNTORCH_ZERO,
        ),
    )
    graph = export_to_nir(net, torch.zeros(1, 6), ignore_dims=[0])
    imported = bx.interop.from_nir(graph, dt=1e-4, discretization="euler")
    np.testing.assert_allclose(imported[3].alpha, 0.7, rtol=1e-6)
    theirs = _run_snntorch(net, xs)
    ours, _ = bx.nn.run(imported, jnp.asarray(xs))
    assert 0 < theirs.sum() < theirs.size
    np.testing.assert_array_equal(ours, theirs)


_SNNTORCH_ZERO = {"init_hidden": True, "reset_mechanism": "zero", "reset_delay": False}
