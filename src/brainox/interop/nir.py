"""NIR, the Neuromorphic Intermediate Representation: export and import.

[`brainox.interop.to_nir`][] writes a brainox spiking model (a chain of
`brainox.nn` layers and `eqx.nn` layers) as a `nir.NIRGraph`, the exchange
format read by snnTorch, Norse, Spyx, Lava, Sinabs and neuromorphic hardware;
[`brainox.interop.from_nir`][] reads a chain-shaped graph back as a
[`brainox.nn.Sequential`][]. The `nir` package is imported only when these are
called (`pip install 'brainox[nir]'`).
"""

from ._nir_export import to_nir as to_nir
from ._nir_import import from_nir as from_nir
from ._nir_scale import Scale as Scale
