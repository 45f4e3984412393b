"""Plots render headlessly to valid PNGs, with the expected artists and data."""

import os
import sys

import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.quiver import Quiver  # noqa: E402


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def save_and_check(ax, tmp_path, name):
    path = os.path.join(tmp_path, name)
    ax.figure.savefig(path, dpi=60)
    plt.close(ax.figure)
    with open(path, "rb") as f:
        head = f.read(8)
    assert head == PNG_SIGNATURE and os.path.getsize(path) > 1000


@pytest.fixture
def events():
    rng = np.random.default_rng(0)
    step = np.sort(rng.choice(5000, size=300, replace=False))
    index = rng.integers(0, 20, step.size)
    return bx.SpikeEvents(step, index, (step + 1) * 0.1)


def test_raster_draws_one_point_per_spike(events, tmp_path):
    ax = bx.plot.raster(events, n=20)
    (dots,) = ax.collections
    offsets = dots.get_offsets()
    assert len(offsets) == 300
    np.testing.assert_allclose(offsets[:, 0], events.time)
    np.testing.assert_array_equal(offsets[:, 1], events.index)
    # The same spikes as a dense raster, on the same axes with an offset.
    raster = np.zeros((5000, 20), bool)
    raster[events.step, events.index] = True
    bx.plot.raster(raster, dt=0.1, offset=20, neurons=10, ax=ax, color="r")
    assert len(ax.collections[1].get_offsets()) == np.sum(events.index < 10)
    save_and_check(ax, tmp_path, "raster.png")


def test_population_rate_and_isi_histogram(events, tmp_path):
    ax = bx.plot.population_rate(
        events, 20, 500.0, bin_ms=5.0, kernel="box", width=10.0
    )
    (line,) = ax.lines
    expected = bx.analysis.population_rate(
        events, 20, 500.0, bin_ms=5.0, kernel="box", width=10.0
    )
    np.testing.assert_allclose(line.get_ydata(), expected)
    np.testing.assert_allclose(line.get_xdata(), np.arange(100) * 5.0 + 2.5)
    save_and_check(ax, tmp_path, "rate.png")
    ax = bx.plot.isi_histogram(events, bins=15)
    density, _ = bx.analysis.isi_histogram(events, bins=15)
    assert len(ax.patches) == 15
    np.testing.assert_allclose([p.get_height() for p in ax.patches], density)
    save_and_check(ax, tmp_path, "isi.png")


def test_voltage_traces_one_line_per_neuron(tmp_path):
    _, rec = bx.simulate(
        bx.LIF(4),
        20.0,
        dt=0.1,
        inputs=lambda s, t: jnp.arange(4.0) * 100,
        monitors=["V"],
    )
    ax = bx.plot.voltage_traces(rec["V"], rec["t"], neurons=[1, 3])
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), rec["V"][:, 3])
    save_and_check(ax, tmp_path, "traces.png")
    with pytest.raises(ValueError, match="dt="):
        bx.plot.voltage_traces(rec["V"])
    with pytest.raises(ValueError, match=r"`neurons` names \[5\], but `values` has 4"):
        bx.plot.voltage_traces(rec["V"], rec["t"], neurons=[1, 5])


def test_phase_portrait_of_fitzhugh_nagumo(tmp_path):
    fhn = bx.FitzHughNagumo(1)
    ax = bx.plot.phase_portrait(fhn, 0.5, (-2.5, 2.5), (-1.0, 3.0), num=12)
    quivers = [c for c in ax.collections if isinstance(c, Quiver)]
    assert len(quivers) == 1 and quivers[0].N == 144
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["dv/dt = 0", "dw/dt = 0"]
    # The v nullcline is w = v - v^3/3 + I; the w nullcline w = (v + a) / b.
    v = ax.lines[0].get_xdata()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), v - v**3 / 3 + 0.5, atol=1e-4)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), (v + 0.7) / 0.8, atol=1e-4)
    # One fixed point (unstable above I_H = 0.331), at FitzHughNagumo.fixed_point.
    (dots,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert dots.get_label() == "unstable"
    expected = fhn.fixed_point(0.5)
    np.testing.assert_allclose(
        dots.get_offsets()[0],
        [float(np.ravel(expected["v"])[0]), float(np.ravel(expected["w"])[0])],
        atol=1e-4,
    )
    save_and_check(ax, tmp_path, "fhn.png")
    with pytest.raises(ValueError, match=r"lacks \['w'\]"):
        bx.plot.phase_portrait(fhn, 0.5, (-2.5, 2.5), (-1.0, 3.0),
                               trajectory={"v": np.zeros(3)})  # fmt: skip
    with pytest.raises(ValueError, match="no parameter `values`"):
        bx.plot.bifurcation_diagram({"values": [], "points": [], "stable": []})


def test_bifurcation_diagram_from_a_mapping_and_a_scan_result(tmp_path):
    values = np.linspace(0.0, 1.0, 11)
    points = np.stack([values**2, np.where(values > 0.5, -values, np.nan)], axis=1)
    stable = np.stack([values < 0.4, np.zeros(11, bool)], axis=1)
    result = {
        "values": values,
        "points": points,
        "stable": stable,
        "minimum": np.where(values > 0.4, -1.0, 0.0),
        "maximum": np.where(values > 0.4, 1.0, 0.0),
    }
    ax = bx.plot.bifurcation_diagram(result)
    by_label = {c.get_label(): len(c.get_offsets()) for c in ax.collections}
    assert by_label == {"stable": 4, "unstable": 7 + 5, "limit cycle": 2 * 6}
    save_and_check(ax, tmp_path, "bifurcation.png")
    # The same data as a bx.dynsys.BifurcationDiagram.
    diagram = bx.dynsys.BifurcationDiagram(
        parameter="input",
        values=values,
        points={"V": points[..., None]},
        valid=~np.isnan(points),
        eigenvalues=np.zeros((11, 2, 1), complex),
        stability=np.where(stable, 0, 3),
        variable="V",
        minimum=result["minimum"],
        maximum=result["maximum"],
    )
    ax = bx.plot.bifurcation_diagram(diagram)
    assert {c.get_label(): len(c.get_offsets()) for c in ax.collections} == by_label
    assert ax.get_xlabel() == "input" and ax.get_ylabel() == "V"
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="missing"):
        bx.plot.bifurcation_diagram({"values": values})


def test_missing_matplotlib_names_the_extra(monkeypatch, events):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"brainox\[plot\]"):
        bx.plot.raster(events)
