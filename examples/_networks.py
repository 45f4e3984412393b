"""Shared by the network examples (cuba.py, cobahh.py, brunel.py): a timed run of
a preset, the printed summary, the raster plot and the command line.

Not an example itself; the examples import it from their own directory.
"""

import argparse
import os
import time
from collections.abc import Callable

import numpy as np

import brainox as bx


def simulate_timed(net: bx.Network, duration: float, dt: float = 0.1):
    """Simulate `net` twice; return the recordings, the loop and the compile time.

    The first `bx.simulate` compiles and runs, the second (the same program,
    cached) only runs: its time is the loop time, and the difference is the
    compile time. Both give the same spikes.
    """
    monitors = bx.presets.spike_monitors(net)
    timings = []
    rec = {}
    for _ in range(2):
        start = time.perf_counter()
        _, rec = bx.simulate(net, duration, dt=dt, spikes=monitors)
        timings.append(time.perf_counter() - start)
    loop = timings[1]
    return rec, loop, max(timings[0] - loop, 0.0)


def raster(
    rec: dict,
    net: bx.Network,
    duration: float,
    path: str,
    title: str,
    *,
    max_neurons: int | None = None,
    bin_ms: float = 1.0,
) -> None:
    """Save a raster plot (excitatory blue, inhibitory red) over the population rate.

    `max_neurons` shows only the first neurons of each population, in proportion
    to its size (all of them by default).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = {name: pop.size for name, pop in net.populations.items()}
    total = sum(sizes.values())
    fig, (ax, ax_rate) = plt.subplots(
        2, 1, figsize=(9, 6), dpi=120, sharex=True, height_ratios=[3, 1]
    )
    shown_total = total if max_neurons is None else min(max_neurons, total)
    size_pt = 2.0 if shown_total <= 1000 else 0.6 if shown_total <= 5000 else 0.3
    offset = 0
    all_times = []
    for (name, size), color in zip(
        sizes.items(), ("tab:blue", "tab:red"), strict=False
    ):
        shown = size if max_neurons is None else max(1, max_neurons * size // total)
        events = rec[name]
        keep = events.index < shown
        ax.scatter(
            events.time[keep],
            events.index[keep] + offset,
            s=size_pt,
            c=color,
            lw=0,
            label=f"{name} ({shown} of {size})",
        )
        offset += shown
        all_times.append(np.asarray(events.time))
    times = np.concatenate(all_times)
    n_bins = int(round(duration / bin_ms))
    counts, edges = np.histogram(times, bins=n_bins, range=(0.0, n_bins * bin_ms))
    ax_rate.plot(edges[:-1], counts / total / (bin_ms / 1000.0), c="k", lw=0.7)
    ax.set(xlim=(0, duration), ylabel="neuron", title=title)
    ax.legend(loc="upper right", markerscale=8, fontsize=8)
    ax_rate.set(xlabel="time (ms)", ylabel="rate (Hz)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def summarize(
    label: str,
    net: bx.Network,
    rec: dict,
    duration: float,
    loop: float,
    compile_time: float,
    path: str,
    *,
    start: float = 0.0,
) -> dict:
    """Print the rates, CV_ISI and times of a run; return them as a dict."""
    rates = bx.presets.firing_rates(rec, net, duration, start=start)
    cv = {name: bx.presets.cv_isi(rec[name], start=start) for name in rates}
    sizes = {name: pop.size for name, pop in net.populations.items()}
    print(f"{label}: {sizes}, {duration:g} ms, dt = 0.1 ms")
    print(
        "rates: "
        + ", ".join(f"{name} {rate:.2f} Hz" for name, rate in rates.items())
        + (f" (after {start:g} ms)" if start else "")
    )
    print("CV_ISI: " + ", ".join(f"{name} {v:.3f}" for name, v in cv.items()))
    print(f"simulation loop: {loop:.3f} s ({loop / (duration / 1000):.3f} s per s)")
    print(f"compile: {compile_time:.3f} s")
    print(f"raster: {path}")
    return dict(
        sizes=sizes,
        duration_ms=duration,
        rates_hz=rates,
        cv_isi=cv,
        n_spikes=sum(len(rec[name].index) for name in rates),
        loop_s=loop,
        compile_s=compile_time,
        raster=path,
    )


def output_path(out_dir: str, name: str) -> str:
    """`out_dir/name`, creating the directory."""
    os.makedirs(out_dir, exist_ok=True)
    return os.path.join(out_dir, name)


def command_line(
    doc: str,
    main: Callable[..., dict],
    small_help: str,
    extra: Callable[[argparse.ArgumentParser], None] | None = None,
) -> None:
    """Parse `--small`, `--out DIR` (and the options `extra` adds); call `main`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--small", action="store_true", help=small_help)
    parser.add_argument("--out", default="outputs", help="output directory")
    if extra is not None:
        extra(parser)
    args = vars(parser.parse_args())
    out_dir = args.pop("out")
    main(**args, out_dir=out_dir)
