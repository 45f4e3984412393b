"""Data set loaders: the IDX reader, Fashion-MNIST, digits and MNIST-1D."""

import gzip
import os
import random
import struct
import sys

import numpy as np
import pytest

import brainox as bx


FASHION = "/usr/share/datasets/fashion-mnist"
HAS_FASHION = os.path.exists(os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz"))


def _idx_bytes(array: np.ndarray, type_byte: int) -> bytes:
    """An IDX file written independently of the reader: struct header + C data."""
    header = struct.pack(">BBBB", 0, 0, type_byte, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes(order="C")


def _write(path, data: bytes) -> str:
    path = os.fspath(path)
    with (gzip.open if path.endswith(".gz") else open)(path, "wb") as f:
        f.write(data)
    return path


@pytest.mark.parametrize(
    "dtype, type_byte",
    [
        (np.uint8, 0x08),
        (np.int8, 0x09),
        (np.int16, 0x0B),
        (np.int32, 0x0C),
        (np.float32, 0x0D),
        (np.float64, 0x0E),
    ],
)
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_read_idx_round_trip(tmp_path, dtype, type_byte, suffix):
    rng = np.random.default_rng(0)
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    if info is None:
        array = rng.normal(size=(3, 5, 4)).astype(dtype)
    else:
        array = rng.integers(info.min, info.max, size=(3, 5, 4), endpoint=True)
        array = array.astype(dtype)
    path = _write(tmp_path / f"a-idx3{suffix}", _idx_bytes(array, type_byte))
    back = bx.datasets.read_idx(path)
    assert back.dtype == np.dtype(dtype)  # native byte order, stored type
    assert back.shape == (3, 5, 4)
    np.testing.assert_array_equal(back, array)


def test_read_idx_one_dimensional_labels(tmp_path):
    labels = np.array([9, 0, 0, 3, 255, 1], np.uint8)
    path = _write(tmp_path / "labels.gz", _idx_bytes(labels, 0x08))
    np.testing.assert_array_equal(bx.datasets.read_idx(path), labels)


def test_read_idx_rejects_bad_files(tmp_path):
    good = _idx_bytes(np.arange(12, dtype=np.uint8).reshape(3, 4), 0x08)
    truncated = _write(tmp_path / "truncated", good[:-1])
    with pytest.raises(ValueError, match="truncated"):
        bx.datasets.read_idx(truncated)
    not_idx = _write(tmp_path / "not_idx", b"\x1f\x8b" + good[2:])
    with pytest.raises(ValueError, match="not an IDX file"):
        bx.datasets.read_idx(not_idx)
    bad_type = _write(tmp_path / "bad_type", good[:2] + b"\x0a" + good[3:])
    with pytest.raises(ValueError, match="type byte 0x0a"):
        bx.datasets.read_idx(bad_type)


def _write_fashion_folder(folder, n_train: int, n_test: int) -> dict:
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),  # no gz
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test),
    }
    for name, array in arrays.items():
        _write(folder / name, _idx_bytes(array.astype(np.uint8), 0x08))
    return arrays


def test_fashion_mnist_path_override(tmp_path):
    arrays = _write_fashion_folder(tmp_path, 7, 3)
    data = bx.datasets.load_fashion_mnist(path=tmp_path)
    assert data.x_train.shape == (7, 28, 28) and data.x_test.shape == (3, 28, 28)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int32
    np.testing.assert_array_equal(
        data.x_train * 255.0, arrays["train-images-idx3-ubyte.gz"].astype(np.float32)
    )
    np.testing.assert_array_equal(data.y_test, arrays["t10k-labels-idx1-ubyte.gz"])


def test_fashion_mnist_missing_files_explain_the_fix(tmp_path):
    with pytest.raises(
        FileNotFoundError, match="apt-get install dataset-fashion-mnist"
    ):
        bx.datasets.load_fashion_mnist(path=tmp_path)
    with pytest.raises(FileNotFoundError, match="path="):
        bx.datasets.load_fashion_mnist(path=tmp_path / "nowhere")


def test_fashion_mnist_rejects_mismatched_labels(tmp_path):
    _write_fashion_folder(tmp_path, 7, 3)
    wrong = np.zeros(5, np.uint8)  # 5 labels for 7 images
    _write(tmp_path / "train-labels-idx1-ubyte.gz", _idx_bytes(wrong, 0x08))
    with pytest.raises(ValueError, match=r"labels of shape \(5,\)"):
        bx.datasets.load_fashion_mnist(path=tmp_path)


@pytest.mark.skipif(not HAS_FASHION, reason="apt-get install dataset-fashion-mnist")
def test_fashion_mnist_from_the_debian_package():
    data = bx.datasets.load_fashion_mnist()
    assert data.x_train.shape == (60000, 28, 28)
    assert data.x_test.shape == (10000, 28, 28)
    assert data.x_train.dtype == np.float32 and data.y_test.dtype == np.int32
    np.testing.assert_array_equal(np.bincount(data.y_train), np.full(10, 6000))
    np.testing.assert_array_equal(np.bincount(data.y_test), np.full(10, 1000))
    assert data.x_train.min() == 0.0 and data.x_train.max() == 1.0
    # Pixel values are k / 255 for integers k.
    k = data.x_test[:100] * 255.0
    np.testing.assert_allclose(k, np.round(k), atol=1e-4)
    assert len(bx.datasets.FASHION_MNIST_CLASSES) == 10


def test_digits_split_is_stratified_complete_and_seeded():
    from sklearn.datasets import load_digits

    full = load_digits()
    data = bx.datasets.load_digits(seed=0)
    assert data.x_train.shape == (1438, 8, 8) and data.x_test.shape == (359, 8, 8)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int32
    # Each class keeps round(20 %) of its samples for testing.
    per_class = np.bincount(full.target)
    np.testing.assert_array_equal(
        np.bincount(data.y_test), np.round(0.2 * per_class).astype(int)
    )
    # Train + test is the whole data set, each image once (rows as sorted bytes).
    ours = np.concatenate([data.x_train, data.x_test]).reshape(1797, 64) * 16.0
    ours_labels = np.concatenate([data.y_train, data.y_test])
    rows = sorted(
        zip(ours.round().astype(int).tolist(), ours_labels.tolist(), strict=True)
    )
    ref = sorted(zip(full.data.astype(int).tolist(), full.target.tolist(), strict=True))
    assert rows == ref
    # Same seed, same split; another seed, another split.
    again = bx.datasets.load_digits(seed=0)
    np.testing.assert_array_equal(again.x_test, data.x_test)
    np.testing.assert_array_equal(again.y_train, data.y_train)
    other = bx.datasets.load_digits(seed=1)
    assert not np.array_equal(other.y_test, data.y_test)


def test_digits_rejects_bad_fraction():
    with pytest.raises(ValueError, match="test_fraction"):
        bx.datasets.load_digits(test_fraction=1.0)


def test_mnist1d_matches_the_package_and_keeps_the_global_generators():
    from mnist1d.data import get_dataset_args, make_dataset

    np.random.seed(123)
    random.seed(123)
    before = np.random.random(3), random.random()
    np.random.seed(123)
    random.seed(123)
    data = bx.datasets.load_mnist1d(num_samples=1000, seed=7)
    after = np.random.random(3), random.random()
    # Both global generators restored (`random`'s was left reseeded).
    np.testing.assert_array_equal(before[0], after[0])
    assert before[1] == after[1]

    assert data.x_train.shape == (800, 40) and data.x_test.shape == (200, 40)
    assert data.x_train.dtype == np.float32 and data.y_test.dtype == np.int32
    args = get_dataset_args()
    args.num_samples, args.seed = 1000, 7
    ref = make_dataset(args)
    np.testing.assert_allclose(data.x_train, ref["x"].astype(np.float32))
    np.testing.assert_array_equal(data.y_test, ref["y_test"])
    assert (
        np.bincount(np.concatenate([data.y_train, data.y_test])).tolist() == [100] * 10
    )


def test_mnist1d_size_and_errors():
    data = bx.datasets.load_mnist1d(num_samples=100, seed=0)
    assert data.x_train.shape == (80, 40) and data.x_test.shape == (20, 40)
    with pytest.raises(ValueError, match="multiple of 10"):
        bx.datasets.load_mnist1d(num_samples=105)


def test_missing_optional_package_names_the_extra(monkeypatch):
    # A `None` entry in sys.modules makes `import mnist1d.data` raise ImportError.
    monkeypatch.setitem(sys.modules, "mnist1d", None)
    monkeypatch.setitem(sys.modules, "mnist1d.data", None)
    with pytest.raises(ImportError, match=r"pip install brainox\[data\]"):
        bx.datasets.load_mnist1d()
