"""EventDriven's native CPU kernel: the same sums as its XLA loop, and its build.

The exact-equality tests of every strategy (test_propagation, test_delays,
test_properties) run both `EventDriven()` (the kernel) and
`EventDriven(kernel="xla")`; this file covers what those do not: float64,
graded and negative-zero spikes, derivatives, vmap, delays (always the loop),
and how the kernel is built, cached and replaced by the loop when it cannot be.
"""

import os

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx
from brainox.connect import _native, _propagation


NATIVE = bx.connect.EventDriven(kernel="native")
LOOP = bx.connect.EventDriven(kernel="xla")
LAYOUTS = ("padded", "compact")


def _native_for(table, layout):
    # The kernel reading the padded table (unprepared) or its compact rows.
    return NATIVE if layout == "padded" else NATIVE.prepare(table)


def _table_and_spikes(key, dtype=jnp.float32):
    k1, k2, k3 = jax.random.split(key, 3)
    table = bx.connect.fixed_probability(k1, 300, 250, 0.07)
    spikes = (jax.random.uniform(k2, (300,)) < 0.1).astype(dtype)
    # Graded values, a -0.0 (no spike) and spikes at both ends.
    spikes = spikes.at[0].set(1).at[-1].set(2.5).at[7].set(-0.0).at[8].set(-1.5)
    weights = jax.random.normal(k3, table.indices.shape, dtype)
    return table, spikes, weights


def test_kernel_is_built_here():
    # CI and development machines have a C++ compiler: the kernel must build.
    assert _native.load() is None


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("per_synapse", [False, True])
def test_kernel_and_loop_give_identical_sums(layout, dtype, per_synapse, getkey):
    with jax.enable_x64(dtype == "float64"):
        table, spikes, weights = _table_and_spikes(getkey(), jnp.dtype(dtype))
        weight = weights if per_synapse else jnp.asarray(0.7, dtype)
        native = eqx.filter_jit(_native_for(table, layout))(table, spikes, weight)
        loop = LOOP(table, spikes, weight)
        assert native.dtype == jnp.dtype(dtype)
        np.testing.assert_array_equal(native, loop)
        # And the dense product, to float rounding (the sums run in another order).
        dense = bx.connect.Dense()(table, spikes, weight)
        rtol = 1e-12 if dtype == "float64" else 1e-5
        np.testing.assert_allclose(native, dense, rtol=rtol, atol=rtol)


def test_forward_mode_derivatives_match_the_loop(getkey):
    table, spikes, weights = _table_and_spikes(getkey())
    tangents = (
        jax.random.normal(getkey(), spikes.shape, spikes.dtype),
        jax.random.normal(getkey(), weights.shape, weights.dtype),
    )
    out = {}
    for name, strategy in (("native", NATIVE), ("loop", LOOP)):
        out[name] = jax.jvp(
            lambda s, w, strategy=strategy: strategy(table, s, w),
            (spikes, weights),
            tangents,
        )
    np.testing.assert_array_equal(out["native"][0], out["loop"][0])
    np.testing.assert_allclose(out["native"][1], out["loop"][1], atol=2e-6)
    # The tangent is linear: doubling both tangents doubles it.
    doubled = jax.jvp(
        lambda s, w: NATIVE(table, s, w),
        (spikes, weights),
        tuple(2 * t for t in tangents),
    )[1]
    np.testing.assert_allclose(doubled, 2 * out["native"][1], rtol=1e-6)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_kernel_accumulates_like_the_loop(layout, dtype, getkey):
    # `accumulate` adds into the accumulator (the kernel's output aliases it):
    # bit-identical to the loop, which adds into it in the same order, and
    # equal to accumulator + sum to float rounding.
    with jax.enable_x64(dtype == "float64"):
        table, spikes, weights = _table_and_spikes(getkey(), jnp.dtype(dtype))
        into = jax.random.normal(getkey(), (table.n_post,), jnp.dtype(dtype))
        strategy = _native_for(table, layout)
        native = eqx.filter_jit(strategy.accumulate)(table, spikes, weights, into)
        loop = LOOP.accumulate(table, spikes, weights, into)
        assert native.dtype == jnp.dtype(dtype)
        np.testing.assert_array_equal(native, loop)
        rtol = 1e-12 if dtype == "float64" else 1e-5
        np.testing.assert_allclose(
            native, into + NATIVE(table, spikes, weights), rtol=rtol, atol=rtol
        )


def test_kernel_accumulates_inside_a_scan_without_losing_the_accumulator(getkey):
    # In a loop the accumulator's buffer is reused in place step after step;
    # 50 steps of the kernel equal 50 steps of the loop, and the closed form
    # (the same spikes every step: 50 times the sum, integer weights).
    table, spikes, _ = _table_and_spikes(getkey())
    spikes = (spikes != 0).astype(jnp.float32)
    weights = jax.random.randint(getkey(), table.indices.shape, -3, 4).astype(
        jnp.float32
    )

    def run(strategy):
        def step(g, _):
            return strategy.accumulate(table, spikes, weights, g), None

        g0 = jnp.zeros(table.n_post, jnp.float32)
        return jax.jit(lambda g: jax.lax.scan(step, g, None, length=50)[0])(g0)

    native = run(NATIVE)
    np.testing.assert_array_equal(native, run(LOOP))
    np.testing.assert_array_equal(native, 50 * LOOP(table, spikes, weights))


def test_accumulate_derivatives_match_the_loop(getkey):
    table, spikes, weights = _table_and_spikes(getkey())
    into = jax.random.normal(getkey(), (table.n_post,), jnp.float32)
    primals = (spikes, weights, into)
    tangents = tuple(jax.random.normal(getkey(), x.shape, x.dtype) for x in primals)
    out = {
        name: jax.jvp(
            lambda s, w, g, strategy=strategy: strategy.accumulate(table, s, w, g),
            primals,
            tangents,
        )
        for name, strategy in (("native", NATIVE), ("loop", LOOP))
    }
    np.testing.assert_array_equal(out["native"][0], out["loop"][0])
    np.testing.assert_allclose(out["native"][1], out["loop"][1], atol=2e-6)
    # Linear in the accumulator: its tangent passes through unchanged.
    only_into = jax.jvp(
        lambda g: NATIVE.accumulate(table, spikes, weights, g), (into,), (tangents[2],)
    )[1]
    np.testing.assert_array_equal(only_into, tangents[2])


def _skewed_table():
    # Rows of different lengths, one empty and one full, targets unsorted.
    indices = np.array(
        [[4, 0, 9, 9], [9, 9, 9, 9], [1, 2, 3, 5], [8, 6, 9, 9], [7, 9, 9, 9]]
    )
    return bx.connect.OutDegreeTable(jnp.asarray(indices), n_post=9)


def test_compact_rows_hold_the_valid_entries_in_row_order():
    table = _skewed_table()
    rows = bx.connect.EventDriven().prepare(table).rows
    assert rows is not None and rows.targets.dtype == jnp.uint16
    np.testing.assert_array_equal(rows.offsets, [0, 2, 2, 6, 8, 9])
    expected = [4, 0, 1, 2, 3, 5, 8, 6, 7]
    np.testing.assert_array_equal(rows.targets[:9], expected)
    # The table's length, so that the rows of tables of one shape stack.
    assert rows.targets.shape == (table.indices.size,)
    # The loop reads the table as stored; nothing is built for it.
    assert LOOP.prepare(table).rows is None
    # Exact sums through them, scalar and per-synapse weights.
    spikes = jnp.array([1.0, 1.0, 2.0, 0.0, 1.0])
    weights = jnp.arange(20, dtype=jnp.float32).reshape(5, 4)
    for weight in (jnp.float32(3.0), weights):
        np.testing.assert_array_equal(
            NATIVE.prepare(table)(table, spikes, weight), LOOP(table, spikes, weight)
        )


def test_wide_post_populations_get_32_bit_targets(getkey):
    # Beyond 2^16 post neurons a target no longer fits 16 bits.
    table = bx.connect.fixed_probability(getkey(), 40, 70_000, 0.001)
    assert int(table.indices[table.indices < 70_000].max()) >= 2**16
    rows = NATIVE.prepare(table).rows
    assert rows is not None and rows.targets.dtype == jnp.int32
    spikes = (jax.random.uniform(getkey(), (40,)) < 0.5).astype(jnp.float32)
    np.testing.assert_array_equal(
        NATIVE.prepare(table)(table, spikes, 2.0), LOOP(table, spikes, 2.0)
    )


def test_padding_before_a_synapse_keeps_the_padded_table(getkey):
    # Per-synapse weights would no longer line up with compact rows, so none
    # are built; the kernel reads the padded table and skips the padding.
    table = bx.connect.OutDegreeTable(jnp.array([[3, 1], [0, 2], [3, 3]]), n_post=3)
    assert NATIVE.prepare(table).rows is None
    spikes = jnp.array([1.0, 1.0, 1.0])
    weights = jnp.array([[10.0, 1.0], [2.0, 3.0], [5.0, 5.0]])
    out = NATIVE.prepare(table)(table, spikes, weights)
    np.testing.assert_array_equal(out, [2.0, 1.0, 3.0])


def test_traced_tables_are_not_compacted():
    built = []

    @jax.jit
    def prepare(indices):
        table = bx.connect.OutDegreeTable(indices, n_post=9)
        built.append(NATIVE.prepare(table).rows)
        return indices

    prepare(_skewed_table().indices)
    assert built == [None]


def test_rows_of_another_table_are_refused(getkey):
    table, spikes, _ = _table_and_spikes(getkey())
    other = bx.connect.fixed_probability(getkey(), 300, 250, 0.2)  # wider
    with pytest.raises(ValueError, match="prepare it for this table"):
        NATIVE.prepare(other)(table, spikes, 1.0)


def test_kernel_refuses_rows_outside_their_arrays(getkey):
    table, spikes, weights = _table_and_spikes(getkey())
    strategy = NATIVE.prepare(table)
    assert strategy.rows is not None
    # A row that ends past the targets, and one longer than its weights' row.
    past_the_end = strategy.rows.offsets.at[-1].set(table.indices.size + 5)
    bad = eqx.tree_at(lambda s: s.rows.offsets, strategy, past_the_end)
    ones = jnp.ones(table.n_pre, jnp.float32)
    with pytest.raises(Exception, match="a row lies outside"):
        jax.block_until_ready(bad(table, ones, 1.0))
    long_row = strategy.rows.offsets.at[1].set(table.max_degree + 1)
    bad = eqx.tree_at(lambda s: s.rows.offsets, strategy, long_row)
    with pytest.raises(Exception, match="a row lies outside"):
        jax.block_until_ready(bad(table, ones, weights))


def test_projections_hold_compact_rows(getkey):
    table = bx.connect.fixed_probability(getkey(), 300, 250, 0.07)
    assert bx.connect.default_propagation(table, backend="cpu").rows is not None
    proj = bx.Projection("a", "b", table, 1.0)
    assert isinstance(proj.propagation, bx.connect.EventDriven)
    assert proj.propagation.rows is not None


def test_delayed_rings_use_the_loop(getkey):
    # With per-synapse delays the loop adds into the ring in place; the kernel
    # is not called (it would make XLA copy the ring every step).
    table, spikes, weights = _table_and_spikes(getkey())
    steps = jax.random.randint(getkey(), table.indices.shape, 1, 7)
    ring = jax.random.normal(getkey(), (7, table.n_post), weights.dtype)
    args = (table, spikes, weights, steps, ring, jnp.asarray(3))
    jaxpr = str(jax.make_jaxpr(NATIVE.scatter_delayed)(*args))
    assert _native.TARGET not in jaxpr
    np.testing.assert_array_equal(
        NATIVE.scatter_delayed(*args), LOOP.scatter_delayed(*args)
    )


def test_vmap_over_spikes(getkey):
    table, _, weights = _table_and_spikes(getkey())
    batch = (jax.random.uniform(getkey(), (6, table.n_pre)) < 0.2).astype(jnp.float32)
    native = jax.vmap(lambda s: NATIVE(table, s, weights))(batch)
    loop = jax.vmap(lambda s: LOOP(table, s, weights))(batch)
    np.testing.assert_array_equal(native, loop)


def test_vmap_of_accumulate(getkey):
    table, _, weights = _table_and_spikes(getkey())
    batch = (jax.random.uniform(getkey(), (4, table.n_pre)) < 0.2).astype(jnp.float32)
    into = jax.random.normal(getkey(), (4, table.n_post), jnp.float32)
    native = jax.vmap(lambda s, g: NATIVE.accumulate(table, s, weights, g))(batch, into)
    loop = jax.vmap(lambda s, g: LOOP.accumulate(table, s, weights, g))(batch, into)
    np.testing.assert_array_equal(native, loop)


def test_bad_kernel_name_is_refused():
    with pytest.raises(ValueError, match="`kernel` must be one of"):
        bx.connect.EventDriven(kernel="c++")


def test_unsupported_dtype(getkey):
    table, spikes, _ = _table_and_spikes(getkey())
    half = spikes.astype(jnp.float16)
    with pytest.raises(RuntimeError, match="dtype float16"):
        NATIVE(table, half, jnp.float16(1.0))
    # "auto" uses the loop for it, without a warning.
    out = bx.connect.EventDriven()(table, half, jnp.float16(1.0))
    np.testing.assert_array_equal(out, LOOP(table, half, jnp.float16(1.0)))


def test_fallback_when_the_kernel_is_unavailable(monkeypatch, getkey):
    table, spikes, weights = _table_and_spikes(getkey())
    monkeypatch.setattr(_native, "load", lambda: "no C++ compiler was found")
    _propagation._warn_fallback.cache_clear()
    with pytest.warns(RuntimeWarning, match="no C\\+\\+ compiler was found"):
        out = bx.connect.EventDriven()(table, spikes, weights)
    np.testing.assert_array_equal(out, LOOP(table, spikes, weights))
    with pytest.raises(RuntimeError, match="kernel='native'.*no C\\+\\+ compiler"):
        NATIVE(table, spikes, weights)
    _propagation._warn_fallback.cache_clear()


def test_build_is_cached_and_failures_are_reported(monkeypatch, tmp_path):
    compiler = _native._compiler()
    assert compiler is not None
    monkeypatch.setenv("BRAINOX_CACHE_DIR", str(tmp_path))
    library = _native._build(compiler)
    assert library.parent == tmp_path and library.stat().st_size > 0
    built = library.stat().st_mtime_ns
    assert _native._build(compiler) == library  # found in the cache
    assert library.stat().st_mtime_ns == built
    assert [p.name for p in tmp_path.iterdir()] == [library.name]  # no leftovers
    # A compiler that fails: the error carries its message, nothing is cached.
    monkeypatch.setattr(_native, "_SOURCE", tmp_path / "broken.cc")
    (tmp_path / "broken.cc").write_text("this is not C++\n")
    with pytest.raises(RuntimeError, match="failed"):
        _native._build(compiler)
    assert len(list(tmp_path.glob("event_scatter-*"))) == 1


def test_no_compiler_and_opt_out_are_reported(monkeypatch):
    monkeypatch.setenv("CXX", os.path.join(os.sep, "nonexistent", "c++"))
    assert "no C++ compiler" in _native.load.__wrapped__()
    monkeypatch.setenv("BRAINOX_NATIVE", "0")
    assert "BRAINOX_NATIVE=0" in _native.load.__wrapped__()


def test_opt_out_uses_the_loop_silently(monkeypatch, getkey):
    table, spikes, weights = _table_and_spikes(getkey())
    assert _native.load() is None  # built and cached before the opt-out
    monkeypatch.setenv("BRAINOX_NATIVE", "0")
    # No warning (warnings are errors in this suite), and no kernel call.
    out = jax.jit(bx.connect.EventDriven())(table, spikes, weights)
    np.testing.assert_array_equal(out, LOOP(table, spikes, weights))
    jaxpr = str(jax.make_jaxpr(bx.connect.EventDriven())(table, spikes, weights))
    assert _native.TARGET not in jaxpr
    assert _native.TARGET in str(jax.make_jaxpr(NATIVE)(table, spikes, weights))
