"""Neo export and import: a round trip of spikes and signals, exactly."""

import sys

import jax
import numpy as np
import pytest

import brainox as bx


neo = pytest.importorskip("neo")
pq = pytest.importorskip("quantities")


@pytest.fixture(scope="module")
def recording():
    n, dt = 6, 0.1
    drive = jax.numpy.linspace(150.0, 400.0, n)
    neuron = bx.LIF(n, t_ref=2.0)
    _, rec = bx.simulate(
        neuron,
        100.0,
        dt=dt,
        inputs=lambda s, t: drive,
        record_every=5,
        monitors={"V": "V", "raster": lambda m: m.spike.value > 0},
        spikes={"lif": "spike"},
    )
    return rec, n, dt


def test_round_trip_is_exact(recording):
    rec, n, dt = recording
    block = bx.interop.to_neo(
        rec, dt=dt, record_every=5, units={"V": "mV"}, sizes={"lif": n}, duration=100.0
    )
    segment = block.segments[0]
    lif_trains = [
        s for s in segment.spiketrains if s.annotations["population"] == "lif"
    ]
    assert len(lif_trains) == n  # neuron 0 (150 pA, below rheobase) is silent
    assert lif_trains[0].size == 0 and lif_trains[-1].size > 3
    for train in lif_trains:
        assert train.units == pq.ms and float(train.t_stop) == 100.0
    (signal,) = segment.analogsignals
    assert signal.name == "V" and signal.units == pq.mV
    assert float(signal.sampling_period.rescale(pq.ms)) == pytest.approx(0.5)
    assert float(signal.t_start.rescale(pq.ms)) == pytest.approx(0.5)
    back = bx.interop.from_neo(block)
    np.testing.assert_array_equal(back["V"], rec["V"])
    np.testing.assert_array_equal(back["t"], rec["t"])
    for field in ("step", "index", "time"):
        np.testing.assert_array_equal(
            getattr(back["lif"], field), getattr(rec["lif"], field)
        )


def test_raster_monitor_exports_like_the_events(recording):
    rec, n, dt = recording
    # The raster is recorded every 5th step only: compare with those steps.
    block = bx.interop.to_neo(
        {"raster": rec["raster"]},
        dt=dt,
        record_every=5,
        duration=100.0,
        sizes={"raster": n},
    )
    trains = block.segments[0].spiketrains
    seen = np.concatenate([np.asarray(t.magnitude) for t in trains])
    kept = (rec["lif"].step + 1) % 5 == 0
    np.testing.assert_allclose(
        np.sort(seen), np.sort(rec["lif"].time[kept]), rtol=1e-12
    )


def test_count_raster_repeats_its_counts():
    # Two spikes of neuron 1 in the step recorded in row 4 (ends at 0.5 ms).
    raster = np.zeros((10, 2))
    raster[4, 1] = 2.0
    block = bx.interop.to_neo(
        {"t": (np.arange(10) + 1) * 0.1, "s": raster}, dt=0.1, rasters=["s"]
    )
    times = [np.asarray(t.magnitude) for t in block.segments[0].spiketrains]
    assert times[0].size == 0
    np.testing.assert_allclose(times[1], [0.5, 0.5], rtol=1e-12)


def test_foreign_block_and_errors():
    train = neo.SpikeTrain([1.0, 2.5] * pq.ms, t_stop=10.0 * pq.ms)
    segment = neo.Segment()
    segment.spiketrains.append(train)
    with pytest.raises(ValueError, match="dt="):
        bx.interop.from_neo(segment)
    back = bx.interop.from_neo(segment, dt=0.5)
    np.testing.assert_array_equal(back["spikes"].step, [1, 4])
    np.testing.assert_array_equal(back["spikes"].index, [0, 0])
    with pytest.raises(TypeError, match="neo.Block"):
        bx.interop.from_neo([train])
    with pytest.raises(ValueError, match="duration="):
        bx.interop.to_neo(
            {"x": bx.SpikeEvents(np.zeros(0), np.zeros(0), np.zeros(0))}, dt=0.1
        )


def test_sizes_too_small_and_a_wrong_record_period_are_refused(recording):
    # Both were silent: spikes of neurons beyond `sizes` dropped, and signals
    # stamped 0.1 ms apart when the records are 0.5 ms apart.
    rec, n, dt = recording
    assert np.asarray(rec["lif"].index).max() == n - 1
    with pytest.raises(
        ValueError, match=r"spike of neuron 5 but `sizes\['lif'\]` is 3"
    ):
        bx.interop.to_neo(rec, dt=dt, record_every=5, sizes={"lif": 3})
    with pytest.raises(
        ValueError, match=r"0.5 ms apart but `dt` x `record_every` is 0.1"
    ):
        bx.interop.to_neo(rec, dt=dt, sizes={"lif": n})


def test_entries_not_over_time_are_refused():
    # Spike counts are totals, not records at the times `t`: refused, by name,
    # and the rest exports once they are left out.
    n = 6
    _, rec = bx.simulate(
        bx.LIF(n, t_ref=2.0),
        100.0,
        dt=0.1,
        inputs=lambda s, t: jax.numpy.linspace(150.0, 400.0, n),
        monitors=["V"],
        spikes={"lif": "spike"},
        spike_counts={"count": "spike"},
    )
    with pytest.raises(ValueError, match=r"recordings\['count'\] \(shape \(6,\)\)"):
        bx.interop.to_neo(rec, dt=0.1)
    rest = {k: v for k, v in rec.items() if k != "count"}
    block = bx.interop.to_neo(rest, dt=0.1, sizes={"lif": n})
    trains = block.segments[0].spiketrains
    np.testing.assert_array_equal([len(t) for t in trains], rec["count"])
    assert rec["count"].sum() > n


def test_missing_neo_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "neo", None)
    with pytest.raises(ImportError, match=r"brainox\[neo\]"):
        bx.interop.to_neo({}, dt=0.1, duration=1.0)
