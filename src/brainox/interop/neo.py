"""Neo export and import: recorded spikes and signals as `neo` objects.

[`brainox.interop.to_neo`][] turns the recordings of [`brainox.simulate`][] into a
`neo.Block` (one `neo.Segment` holding a `neo.SpikeTrain` per neuron and a
`neo.AnalogSignal` per monitor), the data model read by Elephant, the
Neo IO formats (NWB, NIX, ...) and the ecosystem around them;
[`brainox.interop.from_neo`][] reads such a block back. The `neo` package is
imported only when they are called (`pip install 'brainox[neo]'`).
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._run import SpikeEvents
from ..analysis._spikes import flatten


def _neo() -> Any:
    try:
        import neo
    except ImportError as e:
        raise ImportError(
            "Neo export and import need the neo package: `pip install 'brainox[neo]'`."
        ) from e
    return neo


def _events(value: Any, dt: float, record_every: int) -> SpikeEvents:
    # A dense raster (n_records, n) as events: row r holds the spikes (counts)
    # of step (r + 1) record_every - 1, stamped at its end, (r + 1) record_every dt.
    raster = np.asarray(value)
    flat = flatten(raster.reshape(raster.shape[0], -1), dt=dt * record_every)
    step = np.rint(flat.time / dt).astype(np.int64) - 1
    return SpikeEvents(step.astype(np.int32), flat.index.astype(np.int32), flat.time)


def to_neo(
    recordings: Mapping[str, Any],
    *,
    dt: float,
    record_every: int = 1,
    duration: float | None = None,
    sizes: Mapping[str, int] | None = None,
    units: Mapping[str, str] | None = None,
    rasters: Sequence[str] = (),
    name: str | None = None,
) -> Any:
    """Recordings of [`brainox.simulate`][] as a `neo.Block`.

    The block holds one `neo.Segment` (annotated with `dt` and `record_every`)
    with:

    - for each [`brainox.SpikeEvents`][] entry (and each dense spike raster, a
      boolean monitor or one named in `rasters`): one `neo.SpikeTrain` per
      neuron, in ms, from `t_start = 0` to `t_stop = duration`, annotated with
      `population` (the entry's name) and `index` (the neuron). A raster's
      row `r` holds the spikes (counts, repeated) of the step that ends at
      its record time `(r + 1) record_every dt`; with `record_every > 1` the
      other steps' spikes are not in it (record them with `spikes=`);
    - for every other monitor: one `neo.AnalogSignal` named after it, of shape
      `(n_records, n)` (flattened per record), in `units[name]`
      (default dimensionless), with `sampling_period = dt * record_every` ms and
      `t_start` the first record's time, `record_every * dt` (records are taken
      at the end of their step).

    The entry `"t"` (the record times) is implied by the signals and skipped.
    Entries that are not records over time, such as the totals of
    `simulate(spike_counts=...)`, must be left out: one whose leading axis is
    not the number of record times `t` is refused with a `ValueError` (one that
    happens to have that length cannot be told apart from a record).

    **Arguments:**

    - `recordings`: the dict returned by [`brainox.simulate`][].
    - `dt`: the simulation step (ms).
    - `record_every`: the decimation used by `simulate`.
    - `duration`: the simulated time (ms); default the last record time
      `recordings["t"][-1]` (required without `"t"` or monitors).
    - `sizes`: population sizes for the spike entries, so that silent neurons
      get empty trains (default: one more than the largest index seen).
    - `units`: units of the monitors, e.g. `{"V": "mV"}` (any `quantities`
      unit name).
    - `rasters`: names of float monitors that are 0/1 spike rasters.
    - `name`: the block's name.

    **Returns:** a `neo.Block`.

    ??? cite "Reference"
        Garcia, S. et al. (2014). Neo: an object model for handling
        electrophysiology data in multiple formats. Front. Neuroinform. 8, 10.

    !!! example
        ```python
        neuron, rec = bx.simulate(bx.LIF(10), 500.0, dt=0.1, inputs=drive,
                                  monitors=["V"], spikes={"lif": "spike"})
        block = bx.interop.to_neo(rec, dt=0.1, units={"V": "mV"},
                                  sizes={"lif": 10})
        block.segments[0].spiketrains[0]       # neo.SpikeTrain, ms
        ```
    """
    neo = _neo()
    import quantities as pq

    units = dict(units or {})
    sizes = dict(sizes or {})
    period = float(dt) * int(record_every)
    if duration is None:
        if "t" not in recordings or len(recordings["t"]) == 0:
            raise ValueError("pass `duration=` (ms): the recordings have no times 't'.")
        duration = float(np.asarray(recordings["t"])[-1])
    times = np.asarray(recordings.get("t", []), np.float64)
    if times.size > 1 and not np.allclose(np.diff(times), period, rtol=1e-6):
        raise ValueError(
            f"the record times `t` are {np.diff(times)[0]:g} ms apart but `dt` x "
            f"`record_every` is {period:g} ms; pass the `dt` and `record_every` "
            "of the simulation."
        )
    segment = neo.Segment(name=name)
    segment.annotate(dt=float(dt), record_every=int(record_every))
    for key, value in recordings.items():
        if key == "t":
            continue
        is_raster = key in rasters or (
            not isinstance(value, SpikeEvents) and np.asarray(value).dtype == bool
        )
        if isinstance(value, SpikeEvents) or is_raster:
            events = (
                value
                if isinstance(value, SpikeEvents)
                else _events(value, dt, record_every)
            )
            index = np.asarray(events.index)
            time = np.asarray(events.time, np.float64)
            n = sizes.get(key, int(index.max()) + 1 if index.size else 0)
            if index.size and index.max() >= n:
                raise ValueError(
                    f"recordings[{key!r}] has a spike of neuron {int(index.max())} "
                    f"but `sizes[{key!r}]` is {n}; pass the population's size."
                )
            for i in range(n):
                train = neo.SpikeTrain(
                    time[index == i] * pq.ms,
                    t_start=0.0 * pq.ms,
                    t_stop=float(duration) * pq.ms,
                    name=f"{key}[{i}]",
                )
                train.annotate(population=key, index=i)
                segment.spiketrains.append(train)
            continue
        signal = np.asarray(value)
        n_records = len(recordings["t"]) if "t" in recordings else None
        if signal.ndim == 0 or (n_records is not None and len(signal) != n_records):
            raise ValueError(
                f"recordings[{key!r}] (shape {signal.shape}) is not a record over "
                f"the {n_records or 'record'} times `t`, such as the totals of "
                "`spike_counts=`; leave it out: `{k: v for k, v in rec.items() "
                f"if k != {key!r}}}`."
            )
        signal = signal.reshape(signal.shape[0], -1)
        analog = neo.AnalogSignal(
            signal,
            units=units.get(key, "dimensionless"),
            sampling_period=period * pq.ms,
            t_start=period * pq.ms,
            name=key,
        )
        segment.analogsignals.append(analog)
    block = neo.Block(name=name)
    block.segments.append(segment)
    return block


def from_neo(block: Any, *, dt: float | None = None) -> dict[str, Any]:
    """Read a `neo.Block` (or `neo.Segment`) back into recordings.

    The inverse of [`brainox.interop.to_neo`][]: spike trains annotated with
    `population` and `index` become one [`brainox.SpikeEvents`][] per population
    (other trains are gathered under `"spikes"`, indexed in order), each analog
    signal becomes an array `(n_records, n)` under its name (in its own units),
    and `"t"` holds the record times (ms) of the first signal (computed as
    [`brainox.simulate`][] does when the segment carries `to_neo`'s `dt` and
    `record_every` annotations, so a round trip is exact).

    **Arguments:**

    - `block`: a `neo.Block` (its first segment is read) or a `neo.Segment`.
    - `dt`: the step (ms) used to assign spikes to steps, `step = round(time /
      dt) - 1` (default: the segment's `dt` annotation, as written by
      `to_neo`).

    **Returns:** a dict like the recordings of [`brainox.simulate`][].

    !!! example
        ```python
        rec = bx.interop.from_neo(block)
        rec["lif"].time, rec["V"]
        ```
    """
    neo = _neo()
    import quantities as pq

    if isinstance(block, neo.Block):
        if not block.segments:
            raise ValueError("the neo.Block has no segments.")
        segment = block.segments[0]
    elif isinstance(block, neo.Segment):
        segment = block
    else:
        raise TypeError(
            f"`block` must be a neo.Block or neo.Segment, got {type(block).__name__}."
        )
    dt = segment.annotations.get("dt") if dt is None else float(dt)
    if dt is None:
        raise ValueError("the segment has no `dt` annotation; pass `dt=` (ms).")
    out: dict[str, Any] = {}
    grouped: dict[str, tuple[list, list]] = {}
    for k, train in enumerate(segment.spiketrains):
        population = train.annotations.get("population", "spikes")
        index = train.annotations.get("index", k)
        times, owners = grouped.setdefault(population, ([], []))
        t = np.asarray(train.rescale(pq.ms).magnitude, np.float64)
        times.append(t)
        owners.append(np.full(t.size, int(index)))
    for population, (times, owners) in grouped.items():
        time = np.concatenate(times)
        index = np.concatenate(owners)
        step = np.round(time / dt).astype(np.int64) - 1
        order = np.lexsort((index, step))
        out[population] = SpikeEvents(
            step[order].astype(np.int32), index[order].astype(np.int32), time[order]
        )
    every = segment.annotations.get("record_every")
    for signal in segment.analogsignals:
        out[signal.name] = np.asarray(signal.magnitude)
        if "t" in out:
            continue
        if every is not None and "dt" in segment.annotations:
            # As simulate computes them: the end of every record_every-th step.
            out["t"] = (np.arange(signal.shape[0]) + 1) * int(every) * dt
        else:
            out["t"] = np.asarray(signal.times.rescale(pq.ms).magnitude, np.float64)
    return out
