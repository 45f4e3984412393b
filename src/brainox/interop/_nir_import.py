"""Import: a chain-shaped `nir.NIRGraph` -> a `bx.nn.Sequential`."""

from collections import defaultdict
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..nn import LI, LIF, CubaLIF, Sequential
from ._nir_convention import (
    Discretization,
    check_discretization,
    check_dt,
    decay_from_tau,
    import_nir,
    is_unit,
)
from ._nir_export import layer_out_shape
from ._nir_scale import Scale


IMPORTABLE = (
    "Input, Output, Affine, Linear, Scale, Conv1d, Conv2d, AvgPool2d, SumPool2d, "
    "Flatten (of all dimensions), LIF, IF, CubaLIF, LI, I"
)


def _fail(name: str, node: Any, problem: str) -> ValueError:
    return ValueError(f"NIR node {name!r} ({type(node).__name__}): {problem}")


def _chain_nodes(nir: Any, graph: Any) -> tuple[tuple[int, ...], list[tuple[str, Any]]]:
    """The input shape and the nodes of a sequence graph, from input to output."""
    nodes, edges = graph.nodes, graph.edges
    inputs = [k for k, n in nodes.items() if isinstance(n, nir.Input)]
    outputs = [k for k, n in nodes.items() if isinstance(n, nir.Output)]
    if len(inputs) != 1 or len(outputs) != 1:
        raise ValueError(
            f"from_nir imports chain graphs with one Input and one Output node, got "
            f"inputs {inputs} and outputs {outputs}."
        )
    successors, predecessors = defaultdict(list), defaultdict(list)
    for pre, post in edges:
        successors[pre].append(post)
        predecessors[post].append(pre)
    for name in nodes:
        n_in, n_out = len(predecessors[name]), len(successors[name])
        if (n_in, n_out) != (int(name != inputs[0]), int(name != outputs[0])):
            raise ValueError(
                f"from_nir imports chain graphs (Input -> node -> ... -> Output, one "
                f"edge into and one out of every node): node {name!r} has {n_in} "
                f"incoming edges {predecessors[name]} and {n_out} outgoing edges "
                f"{successors[name]}. Branches and recurrent loops are not supported."
            )
    order, name = [], successors[inputs[0]][0]
    while name != outputs[0]:
        order.append((name, nodes[name]))
        name = successors[name][0]
    if len(order) + 2 != len(nodes):
        stray = sorted(set(nodes) - set(dict(order)) - {inputs[0], outputs[0]})
        raise ValueError(
            f"from_nir imports chain graphs; nodes {stray} are not on the path from "
            f"{inputs[0]!r} to {outputs[0]!r} (a separate loop)."
        )
    in_shape = tuple(int(d) for d in nodes[inputs[0]].input_type["input"])
    return in_shape, order


def _params(
    name: str, node: Any, shape: tuple[int, ...], **arrays: Any
) -> dict[str, np.ndarray]:
    """A neuron node's parameters, in float64, checked to have the incoming shape."""
    out = {k: np.asarray(v, np.float64) for k, v in arrays.items()}
    for key, value in out.items():
        if value.shape != shape:
            raise _fail(
                name,
                node,
                f"`{key}` has shape {value.shape}, but the node receives "
                f"inputs of shape {shape}.",
            )
    for key in ("v_leak", "v_reset"):
        if key in out and (out[key] != 0).any():
            raise _fail(
                name,
                node,
                f"`{key}` must be 0 (brainox layers relax and reset to 0), got "
                f"values from {out[key].min()} to {out[key].max()}; a graph with "
                "v_leak = v_reset = c is the same model as one with 0, 0 and "
                "v_threshold - c.",
            )
    return out


def _uniform(value: np.ndarray) -> np.ndarray:
    """A per-neuron parameter, collapsed to a scalar when all neurons share it."""
    first = np.asarray(value.reshape(-1)[0])
    return first if (value == first).all() else value


def _decay(
    name: str, node: Any, tau: np.ndarray, dt: float, method: Discretization
) -> np.ndarray:
    beta = decay_from_tau(tau, dt, method)
    if not ((tau > 0) & (beta >= 0) & (beta <= 1)).all():
        raise _fail(
            name,
            node,
            f"time constants from {tau.min()} to {tau.max()} give decays "
            f"from {beta.min()} to {beta.max()} with dt={dt} and the {method!r} "
            "discretization; each needs tau > 0 (and tau >= dt for 'euler').",
        )
    return beta


def _fields(nir: Any, node: Any) -> list[str]:
    """The per-neuron parameters of a NIR neuron node."""
    names = ["r"]
    if isinstance(node, (nir.LIF, nir.LI)):
        names += ["tau", "v_leak"]
    if isinstance(node, nir.CubaLIF):
        names += ["tau_syn", "tau_mem", "v_leak", "w_in"]
    if isinstance(node, (nir.LIF, nir.IF, nir.CubaLIF)):
        names += ["v_threshold", "v_reset"]
    return names


def _neuron(
    name: str,
    node: Any,
    shape: tuple[int, ...],
    dt: float,
    method: Discretization,
    dtype: Any,
) -> list[Any]:
    """`[Scale?, neuron layer]` for a NIR LIF, IF, CubaLIF, LI or I node."""
    nir = import_nir()
    p = _params(name, node, shape, **{k: getattr(node, k) for k in _fields(nir, node)})
    decays: dict[str, Any] = {}
    if isinstance(node, nir.CubaLIF):
        decays["alpha"] = _decay(name, node, p["tau_syn"], dt, method)
        decays["beta"] = _decay(name, node, p["tau_mem"], dt, method)
        gain = (p["w_in"] * dt / p["tau_syn"]) * (p["r"] * dt / p["tau_mem"])
    elif "tau" in p:
        decays["beta"] = _decay(name, node, p["tau"], dt, method)
        gain = p["r"] * dt / p["tau"]
    else:  # IF and I: no leak
        decays["beta"] = np.ones(shape)
        gain = p["r"] * dt
    layers: list[Any] = [] if is_unit(gain) else [Scale(gain, dtype=dtype)]
    decays = {k: _uniform(v) for k, v in decays.items()}
    if isinstance(node, (nir.LI, nir.I)):
        return [*layers, LI(shape, **decays, dtype=dtype)]
    reset = node.metadata.get("reset", "zero")
    if reset not in ("zero", "subtract"):
        raise _fail(
            name,
            node,
            f"metadata reset {reset!r} is neither 'zero' (NIR's reset to "
            "v_reset) nor 'subtract'.",
        )
    if (p["v_threshold"] <= 0).any():
        raise _fail(name, node, "`v_threshold` must be > 0 (brainox rests at 0).")
    spiking = CubaLIF if isinstance(node, nir.CubaLIF) else LIF
    threshold = _uniform(p["v_threshold"])
    neuron = spiking(shape, **decays, threshold=threshold, reset=reset, dtype=dtype)
    return [*layers, neuron]


def _expect(name: str, node: Any, shape: tuple[int, ...], wanted: Any) -> None:
    wanted = tuple(int(d) for d in wanted)
    if shape != wanted:
        raise _fail(
            name, node, f"expects inputs of shape {wanted}, but receives {shape}."
        )


def _affine(name: str, node: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    nir = import_nir()
    weight = np.asarray(node.weight)
    if weight.ndim != 2:
        raise _fail(name, node, f"weight of shape {weight.shape} is not a matrix.")
    _expect(name, node, shape, weight.shape[1:])
    bias = np.asarray(node.bias) if isinstance(node, nir.Affine) else None
    linear = eqx.nn.Linear(
        weight.shape[1],
        weight.shape[0],
        use_bias=bias is not None,
        dtype=dtype,
        key=jax.random.key(0),
    )
    linear = eqx.tree_at(lambda m: m.weight, linear, jnp.asarray(weight, dtype))
    if bias is None:
        return linear
    return eqx.tree_at(lambda m: m.bias, linear, jnp.asarray(bias, dtype))


def _per_dim(value: Any, n: int) -> tuple[int, ...]:
    return tuple(int(v) for v in np.broadcast_to(np.asarray(value), (n,)))


def _conv(name: str, node: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    weight = np.asarray(node.weight)
    n = weight.ndim - 2
    groups = int(node.groups)
    _expect(name, node, shape[:1], (weight.shape[1] * groups,))
    if len(shape) != n + 1:
        raise _fail(name, node, f"expects (C, *spatial) inputs, receives {shape}.")
    stride, dilation = _per_dim(node.stride, n), _per_dim(node.dilation, n)
    padding = node.padding
    if isinstance(padding, str) and padding == "same":
        if stride != (1,) * n:
            raise _fail(name, node, "padding 'same' needs stride 1.")
        total = [d * (k - 1) for d, k in zip(dilation, weight.shape[2:], strict=True)]
        pads = tuple((t // 2, t - t // 2) for t in total)
    else:
        valid = isinstance(padding, str) and padding == "valid"
        pads = tuple((p, p) for p in _per_dim(0 if valid else padding, n))
    bias = np.asarray(node.bias).reshape(-1)
    conv_class = eqx.nn.Conv1d if n == 1 else eqx.nn.Conv2d
    conv = conv_class(
        weight.shape[1] * groups,
        weight.shape[0],
        weight.shape[2:],
        stride=stride,
        padding=pads,
        dilation=dilation,
        groups=groups,
        use_bias=bool((bias != 0).any()),
        dtype=dtype,
        key=jax.random.key(0),
    )
    conv = eqx.tree_at(lambda m: m.weight, conv, jnp.asarray(weight, dtype))
    if conv.bias is None:
        return conv
    bias = jnp.asarray(bias, dtype).reshape((-1,) + (1,) * n)
    return eqx.tree_at(lambda m: m.bias, conv, bias)


def _pool(name: str, node: Any, shape: tuple[int, ...]) -> Any:
    nir = import_nir()
    if len(shape) != 3:
        raise _fail(name, node, f"expects (C, H, W) inputs, receives {shape}.")
    kernel, stride = _per_dim(node.kernel_size, 2), _per_dim(node.stride, 2)
    padding = _per_dim(node.padding, 2)
    if isinstance(node, nir.AvgPool2d):
        return eqx.nn.AvgPool2d(kernel, stride, padding)
    return eqx.nn.Pool(0, jax.lax.add, 2, kernel, stride, padding)


def _flatten(name: str, node: Any, shape: tuple[int, ...]) -> Any:
    start, end = (int(node.start_dim) % len(shape), int(node.end_dim) % len(shape))
    if len(shape) - (end - start) != 1:
        raise _fail(
            name,
            node,
            f"flattens dimensions {start} to {end} of inputs of shape "
            f"{shape}; from_nir imports flattening of all (unbatched) dimensions "
            "(start_dim=0, end_dim=-1).",
        )
    return eqx.nn.Lambda(jnp.ravel)


def _layers(
    name: str,
    node: Any,
    shape: tuple[int, ...],
    dt: float,
    method: Discretization,
    dtype: Any,
) -> list[Any]:
    """The brainox layers of one NIR node."""
    nir = import_nir()
    if isinstance(node, (nir.LIF, nir.IF, nir.CubaLIF, nir.LI, nir.I)):
        return _neuron(name, node, shape, dt, method, dtype)
    if isinstance(node, (nir.Affine, nir.Linear)):
        return [_affine(name, node, shape, dtype)]
    if isinstance(node, (nir.Conv1d, nir.Conv2d)):
        return [_conv(name, node, shape, dtype)]
    if isinstance(node, (nir.AvgPool2d, nir.SumPool2d)):
        return [_pool(name, node, shape)]
    if isinstance(node, nir.Flatten):
        return [_flatten(name, node, shape)]
    if isinstance(node, nir.Scale):
        _expect(name, node, shape, np.shape(node.scale))
        return [Scale(node.scale, dtype=dtype)]
    raise ValueError(
        f"NIR node {name!r} is a {type(node).__name__}, which from_nir does not "
        f"support (nested graphs such as recurrent layers included); supported node "
        f"types: {IMPORTABLE}."
    )


def from_nir(
    graph: Any,
    *,
    dt: float | None = None,
    discretization: str | None = None,
    dtype: Any = jnp.float32,
) -> Sequential:
    """Import a NIR graph as a brainox model.

    The graph must be a chain, `Input -> node -> ... -> Output` (one edge into and
    one out of every node), as [`brainox.interop.to_nir`][] and other NIR tools
    write feed-forward networks; it becomes a
    [`brainox.nn.Sequential`][] to run with [`brainox.nn.run`][]. Nodes map back as
    in [`brainox.interop.to_nir`][]: `Affine`/`Linear` -> `eqx.nn.Linear`,
    `Conv1d`/`Conv2d` -> `eqx.nn.Conv1d`/`eqx.nn.Conv2d` (without bias when it is
    all zero),
    `AvgPool2d`/`SumPool2d` -> `eqx.nn.AvgPool2d` / `eqx.nn.Pool`, `Flatten` ->
    `eqx.nn.Lambda(jnp.ravel)`, `Scale` -> [`brainox.interop.Scale`][], `LIF`/`IF`
    -> [`brainox.nn.LIF`][], `CubaLIF` -> [`brainox.nn.CubaLIF`][], `LI`/`I` ->
    [`brainox.nn.LI`][].

    A neuron of time constant `tau` gets the decay `beta = exp(-dt/tau)`
    (`"exact"`) or `1 - dt/tau` (`"euler"`, to reproduce snnTorch / Norse, which
    step their neurons with forward Euler); a `CubaLIF` gets its synaptic decay
    `alpha` from `tau_syn` the same way. An input gain other than 1 (`r dt / tau`;
    `r dt` for `IF`/`I`; `(w_in dt / tau_syn) (r dt / tau_mem)` for `CubaLIF`)
    becomes a [`brainox.interop.Scale`][] in front of the layer. Neurons reset to
    zero (NIR's reset to `v_reset`), or by subtraction when the node's metadata
    says `{"reset": "subtract"}`. `v_leak` and `v_reset` must be 0. Graphs of
    other shapes or with other node types raise a `ValueError` naming the node
    and what is supported.

    **Arguments:**

    - `graph`: a `nir.NIRGraph` (from `nir.read(path)`, or built in code).
    - `dt`: the time step of one model call, in the unit of the graph's time
      constants (ms by brainox convention). Default: the `dt` in the graph's
      metadata (written by [`brainox.interop.to_nir`][]).
    - `discretization`: `"exact"` or `"euler"`. Default: the graph's metadata,
      else `"exact"`.
    - `dtype`: floating dtype of the weights, parameters and states.

    **Returns:** a [`brainox.nn.Sequential`][] at rest.

    ??? cite "Reference"
        Pedersen, J. E., Abreu, S., Jobst, M. et al. (2024). Neuromorphic
        intermediate representation: a unified instruction set for interoperable
        brain-inspired computing. Nature Communications 15, 8122.

    !!! example
        ```python
        import nir
        graph = nir.NIRGraph(
            nodes={
                "in": nir.Input(input_type=np.array([3])),
                "fc": nir.Affine(weight=np.ones((2, 3)), bias=np.zeros(2)),
                "lif": nir.LIF(tau=np.full(2, 10.0), r=np.full(2, 10.0),
                               v_leak=np.zeros(2), v_threshold=np.ones(2)),
                "out": nir.Output(output_type=np.array([2])),
            },
            edges=[("in", "fc"), ("fc", "lif"), ("lif", "out")],
        )
        model = bx.interop.from_nir(graph, dt=1.0)     # beta = exp(-0.1)
        spikes, model = bx.nn.run(model, jnp.ones((20, 3)))
        ```
    """
    nir = import_nir()
    if not isinstance(graph, nir.NIRGraph):
        raise TypeError(
            f"`graph` must be a nir.NIRGraph (from nir.read(path) or "
            f"bx.interop.to_nir), got {type(graph).__name__}."
        )
    metadata = graph.metadata if isinstance(graph.metadata, dict) else {}
    if dt is None:
        if "dt" not in metadata:
            raise ValueError(
                "`dt` is needed: the graph's metadata has no time step; pass the "
                "time step the graph was made for, e.g. dt=1.0 (ms) or dt=1e-4 for "
                "graphs exported by snnTorch."
            )
        dt = float(metadata["dt"])
    dt = check_dt(dt)
    method = check_discretization(
        discretization or metadata.get("discretization", "exact")
    )
    shape, order = _chain_nodes(nir, graph)
    layers: list[Any] = []
    for name, node in order:
        for layer in _layers(name, node, shape, dt, method, dtype):
            layers.append(layer)
            shape = layer_out_shape(layer, shape, len(layers) - 1)
    return Sequential(layers)
