"""Fashion-MNIST from local IDX files (the Debian package or a given folder)."""

import os

import numpy as np

from ._idx import read_idx
from ._split import Dataset


DEBIAN_PATH = "/usr/share/datasets/fashion-mnist"
"""Where the Debian package `dataset-fashion-mnist` installs the files."""

FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
"""The ten Fashion-MNIST class names, indexed by label."""

_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def _find(folder: str, stem: str) -> str:
    for name in (stem + ".gz", stem):
        candidate = os.path.join(folder, name)
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError(
        f"Fashion-MNIST file {stem}(.gz) not found in {folder!r}. Install the "
        "Debian package with `apt-get install dataset-fashion-mnist` (files in "
        f"{DEBIAN_PATH}), or pass `path=` the folder that holds the four IDX "
        "files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
        "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz."
    )


def load_fashion_mnist(path: str | os.PathLike | None = None) -> Dataset:
    """Load Fashion-MNIST: 28x28 grey images of clothing in 10 classes.

    Reads the four IDX files (gzipped or not) from `path`, by default where the
    Debian package `dataset-fashion-mnist` installs them
    (`/usr/share/datasets/fashion-mnist`). Nothing is downloaded. The data set has
    its own split: 60000 training and 10000 test images, 6000 and 1000 per class.
    Class names are in `bx.datasets.FASHION_MNIST_CLASSES`.

    **Arguments:**

    - `path`: folder holding `train-images-idx3-ubyte(.gz)`,
      `train-labels-idx1-ubyte(.gz)`, `t10k-images-idx3-ubyte(.gz)` and
      `t10k-labels-idx1-ubyte(.gz)`. Default: the Debian package's folder.

    **Returns:** a [`brainox.datasets.Dataset`][] with images of shape
    `(n, 28, 28)`, `float32` in `[0, 1]` (pixel intensity / 255), and `int32`
    labels.

    **Raises:** `FileNotFoundError` naming the missing file, the Debian package and
    the `path=` override.

    ??? cite "Reference"
        ```bibtex
        @article{xiao2017fashion,
          title={Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine
                 Learning Algorithms},
          author={Xiao, Han and Rasul, Kashif and Vollgraf, Roland},
          journal={arXiv preprint arXiv:1708.07747}, year={2017}
        }
        ```

    !!! example
        ```python
        x_train, y_train, x_test, y_test = bx.datasets.load_fashion_mnist()
        x_train.shape  # (60000, 28, 28)
        ```
    """
    folder = os.fspath(DEBIAN_PATH if path is None else path)
    arrays = {key: read_idx(_find(folder, stem)) for key, stem in _FILES.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.ndim != 3 or labels.shape != images.shape[:1]:
            raise ValueError(
                f"Fashion-MNIST {split} files in {folder!r} hold images of shape "
                f"{images.shape} and labels of shape {labels.shape}; expected "
                "(n, 28, 28) and (n,). Check that `path` points at Fashion-MNIST."
            )
    return Dataset(
        x_train=(arrays["x_train"] / np.float32(255.0)).astype(np.float32),
        y_train=arrays["y_train"].astype(np.int32),
        x_test=(arrays["x_test"] / np.float32(255.0)).astype(np.float32),
        y_test=arrays["y_test"].astype(np.int32),
    )
