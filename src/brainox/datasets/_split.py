"""The container every loader returns, and the seeded stratified split."""

from typing import NamedTuple

import numpy as np


class Dataset(NamedTuple):
    """A data set split into a training and a test part (NumPy arrays).

    Every loader in `brainox.datasets` returns one. It unpacks like a tuple:
    `x_train, y_train, x_test, y_test = bx.datasets.load_digits()`.

    **Fields:**

    - `x_train`: training inputs, `float32`, first axis the sample.
    - `y_train`: training labels, `int32` class indices `0 .. n_classes - 1`.
    - `x_test`: test inputs, `float32`, same trailing shape as `x_train`.
    - `y_test`: test labels, `int32`.

    !!! example
        ```python
        data = bx.datasets.load_digits()
        print(data.x_train.shape, data.y_test[:5])
        ```
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def stratified_split(
    x: np.ndarray, y: np.ndarray, *, test_fraction: float, seed: int
) -> Dataset:
    """Split `(x, y)` so that each class keeps its share in both parts.

    The split depends only on `seed` (NumPy's PCG64): the same seed gives the same
    split on every machine and NumPy version that keeps PCG64's stream.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(
            f"`test_fraction` must be strictly between 0 and 1, got {test_fraction}; "
            "for example 0.2 keeps one sample in five for testing."
        )
    rng = np.random.default_rng(seed)
    test_parts, train_parts = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(test_fraction * len(members)))
        test_parts.append(members[:n_test])
        train_parts.append(members[n_test:])
    train = rng.permutation(np.concatenate(train_parts))
    test = rng.permutation(np.concatenate(test_parts))
    return Dataset(x[train], y[train], x[test], y[test])
