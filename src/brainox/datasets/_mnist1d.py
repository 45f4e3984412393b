"""MNIST-1D, generated locally by the `mnist1d` package."""

import random

import numpy as np

from ._optional import import_optional
from ._split import Dataset


def load_mnist1d(*, num_samples: int = 5000, seed: int = 42) -> Dataset:
    """Generate MNIST-1D: 40-sample 1-D signals of the digits 0-9.

    Each sample is one of ten hand-made 1-D digit templates, padded, translated,
    sheared, scaled and blurred with correlated and white noise, then resampled to
    40 points (Greydanus & Kobak 2024). It is generated on the spot by
    `mnist1d.data.make_dataset` (nothing is downloaded) and split by the package:
    the first 80 % of the shuffled samples train, the rest test. The inputs are
    standardised over the whole set (mean 0, standard deviation 1). NumPy's global
    random state, which the generator reseeds, is restored afterwards.

    **Arguments:**

    - `num_samples`: total number of samples (train + test), a multiple of 10.
      The published set has 5000 (4000 train, 1000 test).
    - `seed`: seed of the generator; 42 gives the published set.

    **Returns:** a [`brainox.datasets.Dataset`][] with signals of shape `(n, 40)`,
    `float32`, and `int32` labels.

    **Raises:** `ImportError` naming `pip install brainox[data]` when `mnist1d` is
    missing.

    ??? cite "Reference"
        ```bibtex
        @inproceedings{greydanus2024scaling,
          title={Scaling down deep learning with {MNIST-1D}},
          author={Greydanus, Sam and Kobak, Dmitry},
          booktitle={International Conference on Machine Learning}, year={2024}
        }
        ```

    !!! example
        ```python
        data = bx.datasets.load_mnist1d()
        data.x_train.shape  # (4000, 40)
        ```
    """
    if num_samples < 10 or num_samples % 10:
        raise ValueError(
            f"`num_samples` must be a positive multiple of 10 (one share per digit), "
            f"got {num_samples}."
        )
    mnist1d_data = import_optional("mnist1d.data", "mnist1d")
    args = mnist1d_data.get_dataset_args()
    args.num_samples = int(num_samples)
    args.seed = int(seed)
    # mnist1d seeds the global generators of NumPy and of `random`: both are
    # put back as they were.
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        raw = mnist1d_data.make_dataset(args)
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    return Dataset(
        x_train=np.asarray(raw["x"], np.float32),
        y_train=np.asarray(raw["y"]).astype(np.int32),
        x_test=np.asarray(raw["x_test"], np.float32),
        y_test=np.asarray(raw["y_test"]).astype(np.int32),
    )
