"""Choosing the mesh axis to split work over."""

from jax.sharding import AxisType, Mesh


def mesh_axis(mesh: Mesh, axis: str | None, what: str) -> tuple[Mesh, str]:
    """`mesh` with automatic axes, and the axis to split `what` over.

    `axis=None` takes the mesh's only axis. The axes are made automatic
    (`AxisType.Auto`, a `jax.make_mesh` default is explicit), so the arrays
    placed on the mesh carry no sharding in their types and code written for
    one device (indexing, reshapes) runs on them unchanged.
    """
    if not isinstance(mesh, Mesh):
        raise TypeError(
            f"`mesh` must be a jax.sharding.Mesh, got {type(mesh).__name__}; build "
            'one with jax.make_mesh((jax.device_count(),), ("devices",)).'
        )
    if axis is None:
        if len(mesh.axis_names) != 1:
            raise ValueError(
                f"`mesh` has axes {mesh.axis_names}; pass `axis=` to name the one "
                f"to split {what} over."
            )
        axis = str(mesh.axis_names[0])
    if axis not in mesh.axis_names:
        raise ValueError(
            f"`axis` is {axis!r}, which is not an axis of `mesh` ({mesh.axis_names})."
        )
    auto = Mesh(mesh.devices, mesh.axis_names, (AxisType.Auto,) * mesh.devices.ndim)
    return auto, axis
