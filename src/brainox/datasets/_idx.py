"""A reader for the IDX format of MNIST and Fashion-MNIST (optionally gzipped)."""

import gzip
import os

import numpy as np


# Type byte of the IDX magic number -> big-endian NumPy dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the format of MNIST and Fashion-MNIST) into an array.

    An IDX file starts with a 4-byte magic number: two zero bytes, one byte for the
    element type (`0x08` unsigned byte, `0x09` signed byte, `0x0B` int16, `0x0C`
    int32, `0x0D` float32, `0x0E` float64) and one byte for the number of
    dimensions `d`. Then come `d` big-endian uint32 sizes and the data in C order,
    big-endian. Files whose name ends in `.gz` are decompressed on the fly.

    **Arguments:**

    - `path`: the file, e.g. `".../train-images-idx3-ubyte.gz"`.

    **Returns:** an array of the stored shape, in the native byte order of the
    stored type (`uint8` for image and label files).

    ??? cite "Reference"
        The format is described on Yann LeCun's MNIST page
        (LeCun, Cortes & Burges, *The MNIST database of handwritten digits*, 1998).

    !!! example
        ```python
        labels = bx.datasets.read_idx("t10k-labels-idx1-ubyte.gz")  # (10000,) uint8
        ```
    """
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"{path!r} is not an IDX file: it should start with two zero bytes, a "
            f"type byte and a dimension count, got {raw[:4]!r}."
        )
    type_byte, ndim = raw[2], raw[3]
    if type_byte not in _IDX_DTYPES:
        raise ValueError(
            f"{path!r} has IDX type byte {type_byte:#04x}; known types are "
            f"{', '.join(f'{t:#04x}' for t in _IDX_DTYPES)}."
        )
    dtype = _IDX_DTYPES[type_byte]
    header = 4 + 4 * ndim
    shape = tuple(int(s) for s in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    n_items = int(np.prod(shape, dtype=np.int64))
    if len(raw) != header + n_items * dtype.itemsize:
        raise ValueError(
            f"{path!r} declares shape {shape} of {dtype.name} "
            f"({header + n_items * dtype.itemsize} bytes with header) but has "
            f"{len(raw)} bytes; the file is truncated or corrupt."
        )
    data = np.frombuffer(raw, dtype, count=n_items, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))
