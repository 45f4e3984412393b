"""Victor-Purpura and van Rossum distances against hand cases, limits, a naive
dynamic program and numerical integration."""

import numpy as np
import pytest

import brainox as bx


def naive_victor_purpura(a, b, q):
    """The textbook O(n m) table, cell by cell."""
    G = np.zeros((len(a) + 1, len(b) + 1))
    G[:, 0] = np.arange(len(a) + 1)
    G[0, :] = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            G[i, j] = min(
                G[i - 1, j] + 1,
                G[i, j - 1] + 1,
                G[i - 1, j - 1] + q * abs(a[i - 1] - b[j - 1]),
            )
    return G[-1, -1]


@pytest.mark.parametrize(
    "a, b, q, expected",
    [
        ([10.0, 20.0], [11.0], 0.5, 1.5),  # shift 1 ms (0.5) + delete one
        ([10.0], [14.0], 0.25, 1.0),  # shift 4 ms: cost 1 = delete + insert - 1
        ([10.0], [14.0], 1.0, 2.0),  # shifting costs 4 > 2: delete and insert
        ([], [1.0, 2.0, 3.0], 1.0, 3.0),
        ([], [], 1.0, 0.0),
        ([5.0, 6.0], [6.0, 5.0], 3.0, 0.0),  # order does not matter
    ],
)
def test_victor_purpura_hand_cases(a, b, q, expected):
    assert bx.analysis.victor_purpura(a, b, q) == pytest.approx(expected)


def test_victor_purpura_cost_limits_and_naive_table():
    rng = np.random.default_rng(0)
    a = np.sort(rng.uniform(0, 1000, 37))
    b = np.sort(rng.uniform(0, 1000, 23))
    assert bx.analysis.victor_purpura(a, b, 0.0) == 37 - 23  # count difference
    assert bx.analysis.victor_purpura(a, b, 1e6) == 37 + 23  # all spikes
    for q in (0.01, 0.1, 1.0):
        assert bx.analysis.victor_purpura(a, b, q) == pytest.approx(
            naive_victor_purpura(a, b, q), rel=1e-12
        )


def test_van_rossum_single_spikes_closed_form():
    tau = 5.0
    for d in (0.0, 1.0, 5.0, 30.0):
        assert bx.analysis.van_rossum([10.0], [10.0 + d], tau) == pytest.approx(
            np.sqrt(1 - np.exp(-d / tau)), abs=1e-12
        )
    assert bx.analysis.van_rossum([3.0], [], tau) == pytest.approx(np.sqrt(0.5))


def test_van_rossum_against_numerical_integration():
    rng = np.random.default_rng(1)
    a = np.sort(rng.uniform(0, 200, 15))
    b = np.sort(rng.uniform(0, 200, 11))
    tau, h = 8.0, 0.001
    t = np.arange(0, 200 + 20 * tau, h)

    def trace(x):
        # Causal exponential filter evaluated on the grid.
        d = t[:, None] - x[None, :]
        return np.where(d >= 0, np.exp(-np.maximum(d, 0) / tau), 0.0).sum(axis=1)

    numeric = np.sqrt(np.trapezoid((trace(a) - trace(b)) ** 2, t) / tau)
    assert bx.analysis.van_rossum(a, b, tau) == pytest.approx(numeric, rel=1e-4)


def test_distance_arguments_are_checked():
    with pytest.raises(ValueError, match="q"):
        bx.analysis.victor_purpura([1.0], [2.0], -1.0)
    with pytest.raises(ValueError, match="tau"):
        bx.analysis.van_rossum([1.0], [2.0], 0.0)
    with pytest.raises(ValueError, match="1-D"):
        bx.analysis.van_rossum(np.zeros((2, 2)), [2.0], 1.0)
