"""Small data sets, loaded from local files only (nothing is downloaded).

Every loader returns a [`brainox.datasets.Dataset`][] of NumPy arrays
`(x_train, y_train, x_test, y_test)` with `float32` inputs and `int32` labels.
"""

from ._digits import load_digits as load_digits
from ._fashion_mnist import (
    FASHION_MNIST_CLASSES as FASHION_MNIST_CLASSES,
    load_fashion_mnist as load_fashion_mnist,
)
from ._idx import read_idx as read_idx
from ._mnist1d import load_mnist1d as load_mnist1d
from ._split import Dataset as Dataset
