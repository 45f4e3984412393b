"""The scikit-learn 8x8 digits, with a fixed seeded train/test split."""

import numpy as np

from ._optional import import_optional
from ._split import Dataset, stratified_split


def load_digits(*, test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """Load the 8x8 handwritten digits that ship inside scikit-learn.

    1797 grey images of the digits 0-9 (UCI "Optical Recognition of Handwritten
    Digits"), read from the scikit-learn wheel: nothing is downloaded. The data set
    has no split of its own, so it is split here, stratified by class, with a
    permutation drawn from `seed`: the same seed always gives the same split.

    **Arguments:**

    - `test_fraction`: share of each class kept for testing, in `(0, 1)`.
    - `seed`: seed of the split.

    **Returns:** a [`brainox.datasets.Dataset`][] with images of shape `(n, 8, 8)`,
    `float32` in `[0, 1]` (pixel count / 16), and `int32` labels. With the defaults:
    1438 training and 359 test images.

    **Raises:** `ImportError` naming `pip install brainox[data]` when scikit-learn
    is missing.

    ??? cite "Reference"
        ```bibtex
        @misc{alpaydin1998digits,
          title={Optical Recognition of Handwritten Digits},
          author={Alpaydin, E. and Kaynak, C.},
          howpublished={UCI Machine Learning Repository}, year={1998},
          doi={10.24432/C50P49}
        }
        ```

    !!! example
        ```python
        data = bx.datasets.load_digits(seed=0)
        data.x_train.shape  # (1438, 8, 8)
        ```
    """
    sklearn_datasets = import_optional("sklearn.datasets", "scikit-learn")
    digits = sklearn_datasets.load_digits()
    images = (np.asarray(digits.images) / 16.0).astype(np.float32)
    labels = np.asarray(digits.target).astype(np.int32)
    return stratified_split(images, labels, test_fraction=test_fraction, seed=seed)
