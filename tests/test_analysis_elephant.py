"""bx.analysis against Elephant on the same spike trains, exported with to_neo.

Skipped (file-level) where Elephant is not installed.
"""

import warnings

import numpy as np
import pytest

import brainox as bx


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    elephant = pytest.importorskip("elephant")
    from elephant import spike_train_dissimilarity, statistics
pq = pytest.importorskip("quantities")

# Elephant passes `copy=` to quantities, which warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:The 'copy' argument in Quantity")


@pytest.fixture(scope="module")
def trains():
    rng = np.random.default_rng(0)
    n, duration = 8, 5000.0
    step = np.sort(rng.choice(50_000, size=800, replace=False))
    index = rng.integers(0, n, step.size)
    order = np.lexsort((index, step))
    events = bx.SpikeEvents(step[order], index[order], (step[order] + 1) * 0.1)
    block = bx.interop.to_neo(
        {"pop": events}, dt=0.1, duration=duration, sizes={"pop": n}
    )
    return events, block.segments[0].spiketrains, n, duration


def test_cv_and_rates_match_elephant(trains):
    events, neo_trains, n, duration = trains
    ours = bx.analysis.cv_isi(events, n=n, per_neuron=True)
    theirs = [statistics.cv(statistics.isi(t).magnitude) for t in neo_trains]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    rates = bx.analysis.firing_rates(events, duration, n=n)
    theirs = [
        float(statistics.mean_firing_rate(t).rescale(1 / pq.s)) for t in neo_trains
    ]
    np.testing.assert_allclose(rates, theirs, rtol=1e-12)


def test_distances_match_elephant(trains):
    _, neo_trains, _, _ = trains
    a, b = neo_trains[0], neo_trains[1]
    ta, tb = a.magnitude, b.magnitude
    for q in (0.01, 0.2):
        theirs = spike_train_dissimilarity.victor_purpura_distance(
            [a, b], cost_factor=q / pq.ms
        )[0, 1]
        assert bx.analysis.victor_purpura(ta, tb, q) == pytest.approx(theirs, rel=1e-9)
    # Elephant scales the van Rossum distance by sqrt(2) (D^2 = 2/tau int ...).
    theirs = spike_train_dissimilarity.van_rossum_distance(
        [a, b], time_constant=10.0 * pq.ms
    )[0, 1]
    assert np.sqrt(2) * bx.analysis.van_rossum(ta, tb, 10.0) == pytest.approx(
        theirs, rel=1e-6
    )
