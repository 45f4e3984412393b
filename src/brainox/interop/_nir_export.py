"""Export: a chain of brainox / `eqx.nn` layers -> a `nir.NIRGraph`."""

import itertools
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._validate import floating_dtype
from ..nn import LI, LIF, AbstractLayer, CubaLIF, Sequential
from ._nir_convention import (
    Discretization,
    check_discretization,
    check_dt,
    import_nir,
    tau_from_decay,
)
from ._nir_scale import Scale


EXPORTABLE = (
    "bx.nn.LIF, bx.nn.CubaLIF, bx.nn.LI, bx.interop.Scale, eqx.nn.Linear, "
    "eqx.nn.Conv1d, eqx.nn.Conv2d, eqx.nn.AvgPool2d, sum pooling (eqx.nn.Pool "
    "with jax.lax.add), flattening (eqx.nn.Lambda(jnp.ravel) or jnp.ravel), "
    "nested bx.nn.Sequential / eqx.nn.Sequential"
)


def _chain(model: Any) -> list[Any]:
    """The leaf layers of a model, nested `Sequential`s flattened in order."""
    if isinstance(model, (Sequential, eqx.nn.Sequential)):
        return [leaf for layer in model.layers for leaf in _chain(layer)]
    return [model]


def _in_shape(in_shape: Any) -> tuple[int, ...]:
    dims = (in_shape,) if isinstance(in_shape, (int, np.integer)) else in_shape
    if (
        not isinstance(dims, tuple)
        or not dims
        or any(
            isinstance(d, bool) or not isinstance(d, (int, np.integer)) for d in dims
        )
        or min(dims) < 1
    ):
        raise ValueError(
            f"`in_shape` must be the unbatched input shape, a positive int or a tuple "
            f"of them (such as 784 or (1, 28, 28)), got {in_shape!r}."
        )
    return tuple(int(d) for d in dims)


def layer_out_shape(layer: Any, shape: tuple[int, ...], index: int) -> tuple[int, ...]:
    """The output shape of one layer, by abstract evaluation."""

    def call(x):
        return layer(x)[0] if isinstance(layer, AbstractLayer) else layer(x)

    try:
        out = jax.eval_shape(call, jax.ShapeDtypeStruct(shape, floating_dtype(layer)))
    except (ValueError, TypeError) as err:
        raise ValueError(
            f"Layer {index} ({type(layer).__name__}) of the model does not accept the "
            f"input of shape {shape} that reaches it: {err}"
        ) from err
    return tuple(out.shape)


def _full(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A parameter broadcast to the layer's full shape, in float64."""
    return np.array(np.broadcast_to(np.asarray(value, np.float64), shape))


Neuron = LIF | CubaLIF | LI


def _tau(
    layer: Neuron, decay: str, dt: float, method: Discretization, index: int
) -> np.ndarray:
    """The time constants of a layer's per-step decay (`beta` or `alpha`)."""
    value = _full(getattr(layer, decay), layer.shape)
    tau = tau_from_decay(value, dt, method)
    if not (np.isfinite(tau) & (tau > 0)).all():
        allowed = "(0, 1)" if method == "exact" else "[0, 1)"
        leak_free = "" if isinstance(layer, CubaLIF) else " or every one = 1 (no leak)"
        raise ValueError(
            f"Layer {index} ({type(layer).__name__}) has `{decay}` from "
            f"{value.min()} to {value.max()}; NIR export needs every {decay} in "
            f"{allowed} (a time constant tau > 0 with the {method!r} "
            f"discretization){leak_free}."
        )
    return tau


def _neuron(
    nir: Any, layer: Neuron, dt: float, method: Discretization, index: int
) -> Any:
    """The NIR neuron of a layer, with unit input gains (`r = tau / dt`)."""
    shape, zeros = layer.shape, np.zeros(layer.shape)
    leak_free = (_full(layer.beta, shape) == 1.0).all()
    if isinstance(layer, LI):
        if leak_free:
            return nir.I(r=np.full(shape, 1.0 / dt))
        tau = _tau(layer, "beta", dt, method, index)
        return nir.LI(tau=tau, r=tau / dt, v_leak=zeros)
    spiking = {
        "v_threshold": _full(layer.threshold, shape),
        "v_reset": zeros,
        "metadata": {"reset": layer.reset},
    }
    if isinstance(layer, CubaLIF):
        tau_syn = _tau(layer, "alpha", dt, method, index)
        tau_mem = _tau(layer, "beta", dt, method, index)
        return nir.CubaLIF(
            tau_syn=tau_syn,
            tau_mem=tau_mem,
            r=tau_mem / dt,
            v_leak=zeros,
            w_in=tau_syn / dt,
            **spiking,
        )
    if leak_free:
        return nir.IF(r=np.full(shape, 1.0 / dt), **spiking)
    tau = _tau(layer, "beta", dt, method, index)
    return nir.LIF(tau=tau, r=tau / dt, v_leak=zeros, **spiking)


def _symmetric(pads: Any, layer: Any, index: int) -> np.ndarray:
    """Per-dimension padding of a convolution or pooling, which NIR keeps symmetric."""
    pads = np.asarray(pads, np.int64).reshape(-1, 2)
    if (pads[:, 0] != pads[:, 1]).any():
        raise ValueError(
            f"Layer {index} ({type(layer).__name__}) pads asymmetrically "
            f"{pads.tolist()}; NIR padding is symmetric, pad the same on both sides."
        )
    return pads[:, 0]


def _conv(nir: Any, layer: eqx.nn.Conv, shape: tuple[int, ...], index: int) -> Any:
    if layer.num_spatial_dims not in (1, 2) or layer.padding_mode != "ZEROS":
        raise TypeError(
            f"Layer {index} is a {layer.num_spatial_dims}-d convolution with padding "
            f"mode {layer.padding_mode!r}; NIR has 1-d and 2-d convolutions padded "
            "with zeros."
        )
    spatial = shape[1:]
    pads = layer.padding
    if isinstance(pads, str):
        kernel = [
            (k - 1) * d + 1
            for k, d in zip(layer.kernel_size, layer.dilation, strict=True)
        ]
        pads = jax.lax.padtype_to_pads(spatial, kernel, layer.stride, pads)
    padding = _symmetric(pads, layer, index)
    out_channels = layer.weight.shape[0]
    bias = (
        np.zeros(out_channels)
        if layer.bias is None
        else np.array(layer.bias).reshape(out_channels)
    )
    weight = np.array(layer.weight)
    if layer.num_spatial_dims == 1:
        return nir.Conv1d(
            input_shape=spatial[0],
            weight=weight,
            stride=layer.stride[0],
            padding=int(padding[0]),
            dilation=layer.dilation[0],
            groups=layer.groups,
            bias=bias,
        )
    return nir.Conv2d(
        input_shape=spatial,
        weight=weight,
        stride=layer.stride,
        padding=tuple(int(p) for p in padding),
        dilation=layer.dilation,
        groups=layer.groups,
        bias=bias,
    )


def _pool(nir: Any, layer: eqx.nn.Pool, index: int) -> Any:
    average = isinstance(layer, eqx.nn.AvgPool2d)
    if (
        layer.num_spatial_dims != 2
        or layer.use_ceil
        or not (average or (layer.operation is jax.lax.add and layer.init == 0))
    ):
        raise TypeError(
            f"Layer {index} ({type(layer).__name__}) is not a 2-d average or sum "
            "pooling with floor rounding; NIR has AvgPool2d and SumPool2d (no max "
            "pooling)."
        )
    node = nir.AvgPool2d if average else nir.SumPool2d
    return node(
        kernel_size=np.array(layer.kernel_size),
        stride=np.array(layer.stride),
        padding=_symmetric(layer.padding, layer, index),
    )


def _is_flatten(layer: Any) -> bool:
    fn = layer.fn if isinstance(layer, eqx.nn.Lambda) else layer
    return fn is jnp.ravel


def _node(
    nir: Any,
    layer: Any,
    shape: tuple[int, ...],
    dt: float,
    method: Discretization,
    index: int,
) -> Any:
    """The NIR node of one brainox / `eqx.nn` layer."""
    if isinstance(layer, (LIF, CubaLIF, LI)):
        return _neuron(nir, layer, dt, method, index)
    if isinstance(layer, eqx.nn.Linear):
        if "scalar" in (layer.in_features, layer.out_features):
            raise ValueError(
                f"Layer {index} is an eqx.nn.Linear with 'scalar' features; NIR "
                "affine maps act on vectors: use in_features=1 / out_features=1."
            )
        weight = np.array(layer.weight)
        if layer.bias is None:
            return nir.Linear(weight=weight)
        return nir.Affine(weight=weight, bias=np.array(layer.bias))
    if isinstance(layer, eqx.nn.Conv):
        return _conv(nir, layer, shape, index)
    if isinstance(layer, eqx.nn.Pool):
        return _pool(nir, layer, index)
    if isinstance(layer, Scale):
        return nir.Scale(scale=np.array(layer.scale))
    if _is_flatten(layer):
        return nir.Flatten(input_type={"input": np.array(shape)}, start_dim=0)
    what = type(layer).__name__ if isinstance(layer, eqx.Module) else repr(layer)
    if isinstance(layer, eqx.nn.Lambda):
        what = f"Lambda({layer.fn!r})"
    raise TypeError(
        f"Layer {index} of the model ({what}) has no NIR counterpart; to_nir "
        f"supports {EXPORTABLE}."
    )


def to_nir(
    model: Any,
    in_shape: int | tuple[int, ...],
    *,
    dt: float = 1.0,
    discretization: str = "exact",
) -> Any:
    """Export a brainox spiking model to a NIR graph.

    The model is read as a chain of layers (nested [`brainox.nn.Sequential`][]s are
    flattened) and written as a NIR sequence graph `input -> node_0 -> ... ->
    output`, every edge carrying the shape the layer sends. Layers map to nodes as
    follows:

    | brainox / Equinox | NIR |
    | --- | --- |
    | [`brainox.nn.LIF`][] | `LIF` (`IF` if `beta = 1`) |
    | [`brainox.nn.CubaLIF`][] | `CubaLIF` |
    | [`brainox.nn.LI`][] | `LI` (`I` if `beta = 1`) |
    | `eqx.nn.Linear` | `Affine` (with bias) / `Linear` (without) |
    | `eqx.nn.Conv1d`, `eqx.nn.Conv2d` | `Conv1d`, `Conv2d` (zero bias if none) |
    | `eqx.nn.AvgPool2d`, sum `eqx.nn.Pool` | `AvgPool2d`, `SumPool2d` |
    | `eqx.nn.Lambda(jnp.ravel)` | `Flatten` (`start_dim=0`) |
    | [`brainox.interop.Scale`][] | `Scale` |

    Neurons follow one convention (see the Interoperability guide): a decay `beta`
    becomes the time constant `tau = -dt / ln(beta)` (`"exact"`) or
    `tau = dt / (1 - beta)` (`"euler"`, snnTorch's export), with `r = tau / dt`,
    `v_leak = 0`, `v_reset = 0`, and `v_threshold` the layer's threshold; a
    leak-free layer has `r = 1 / dt`; a [`brainox.nn.CubaLIF`][] also gets
    `tau_syn` from `alpha` and `w_in = tau_syn / dt` (snnTorch's `Synaptic`
    export). NIR resets to `v_reset`; a layer with
    `reset="subtract"` is written with `metadata={"reset": "subtract"}`, which
    [`brainox.interop.from_nir`][] honours and other simulators may not (use
    `reset="zero"` for a model meant for other tools). Surrogate gradients and
    `learn_*` flags are training details and are not exported. The graph's
    metadata records `dt` and `discretization`.

    **Arguments:**

    - `model`: a [`brainox.nn.Sequential`][] (or a single layer) of the layers above.
    - `in_shape`: the unbatched input shape (an int or a tuple, such as `784` or
      `(1, 28, 28)`).
    - `dt`: the time step of one call of the model, in the unit the NIR time
      constants are written in (ms by brainox convention; snnTorch writes
      `1e-4`).
    - `discretization`: `"exact"` (default, brainox's `beta = exp(-dt/tau)`) or
      `"euler"` (`beta = 1 - dt/tau`).

    **Returns:** a `nir.NIRGraph`, to save with `nir.write(path, graph)`.

    ??? cite "Reference"
        Pedersen, J. E., Abreu, S., Jobst, M. et al. (2024). Neuromorphic
        intermediate representation: a unified instruction set for interoperable
        brain-inspired computing. Nature Communications 15, 8122.

    !!! example
        ```python
        import nir
        k1, k2 = jax.random.split(jax.random.key(0))
        model = bx.nn.Sequential([
            eqx.nn.Linear(64, 32, key=k1), bx.nn.LIF(32, beta=0.9),
            eqx.nn.Linear(32, 10, key=k2), bx.nn.LI(10, beta=0.95),
        ])
        graph = bx.interop.to_nir(model, 64, dt=1.0)
        nir.write("model.nir", graph)
        ```
    """
    nir = import_nir()
    dt = check_dt(dt)
    method = check_discretization(discretization)
    shape = _in_shape(in_shape)
    nodes: dict[str, Any] = {"input": nir.Input(input_type=np.array(shape))}
    for index, layer in enumerate(_chain(model)):
        node = _node(nir, layer, shape, dt, method, index)
        nodes[f"{type(node).__name__.lower()}_{index}"] = node
        shape = layer_out_shape(layer, shape, index)
    nodes["output"] = nir.Output(output_type=np.array(shape))
    names = list(nodes)
    return nir.NIRGraph(
        nodes=nodes,
        edges=list(itertools.pairwise(names)),
        metadata={"dt": dt, "discretization": method},
    )
