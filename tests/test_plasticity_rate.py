"""Rate-based rules: Oja's principal component, BCM selectivity, Hebbian decay."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats

import brainox as bx


def train(rule, w0, samples, dt=1.0):
    """Present `samples` one per step to a linear neuron y = x @ w."""

    def body(carry, x):
        rule, w = carry
        rule, w = rule.update(w, x, x @ w, dt)
        return (rule, w), w

    (rule, w), ws = jax.lax.scan(body, (rule, w0), samples)
    return rule, w, ws


def train_constant(rule, w0, x, y, dt, n):
    """`n` steps with constant rates `x`, `y`."""

    def body(carry, _):
        rule, w = carry
        return rule.update(w, x, y, dt), None

    (rule, w), _ = jax.lax.scan(body, (rule, w0), None, length=n)
    return rule, w, None


def test_oja_finds_the_unit_principal_eigenvector():
    C = np.array([[3.0, 1.0], [1.0, 2.0]])
    eigenvalues, eigenvectors = np.linalg.eigh(C)
    e1 = eigenvectors[:, -1]
    np.testing.assert_allclose(np.abs(e1), [0.85065, 0.52573], atol=1e-5)
    key_x, key_w = jax.random.split(jax.random.key(0))
    x = jax.random.multivariate_normal(key_x, jnp.zeros(2), C, (30000,))
    w0 = jax.random.normal(key_w, (2, 1)) * 0.3
    _, w, _ = train(bx.plasticity.Oja(eta=5e-4), w0, x)
    w = np.asarray(w)[:, 0]
    cos = abs(w @ e1) / np.linalg.norm(w)
    assert cos >= 0.999
    assert np.linalg.norm(w) == pytest.approx(1.0, abs=0.02)


def test_bcm_becomes_selective_to_exactly_one_pattern():
    K = 4
    Q = scipy.stats.ortho_group.rvs(K, random_state=1)  # rows: orthogonal patterns
    patterns = jnp.asarray(Q, jnp.float32)

    def run(key):
        k_w, k_order = jax.random.split(key)
        # Small positive responses to every pattern at the start.
        u0 = jax.random.uniform(k_w, (K,), minval=0.1, maxval=0.3)
        w0 = (patterns.T @ u0)[:, None]
        order = jax.random.randint(k_order, (40000,), 0, K)
        rule = bx.plasticity.BCM(1, eta=0.005, tau_theta=10.0, y0=1.0)
        rule, w, ws = train(rule, w0, patterns[order])
        # Responses to each pattern: at the end, and averaged over the last quarter.
        return patterns @ w[:, 0], (ws[-10000:, :, 0] @ patterns.T).mean(0)

    final, mean = jax.jit(jax.vmap(run))(jax.random.split(jax.random.key(0), 6))
    final, mean = np.asarray(final), np.asarray(mean)
    for responses, averaged in zip(final, mean, strict=True):
        winner = np.argmax(responses)
        others = np.delete(responses, winner)
        assert responses[winner] > 0.5 * K  # selective fixed point: y = K y0
        assert np.all(np.abs(others) < 1e-3)
        assert averaged[winner] == pytest.approx(K * 1.0, rel=0.05)
        selectivity = 1 - averaged.mean() / averaged.max()  # Bienenstock et al.
        assert selectivity > 0.74  # the maximum is 1 - 1 / K = 0.75
    # Which pattern wins depends on the initial weights and the input order.
    assert len(set(np.argmax(final, axis=1))) >= 2


def test_hebbian_relaxes_to_eta_x_y_over_decay():
    x = jnp.array([1.0, 2.0])
    y = jnp.array([0.5, 1.5, 3.0])
    eta, decay, dt, n = 0.01, 0.02, 1.0, 100
    w_inf = eta * np.outer(x, y) / decay
    w0 = jnp.zeros((2, 3))
    for solver, factor in [
        (None, (1 - decay * dt) ** n),  # Euler: the discrete map
        (bx.ExponentialEuler(), np.exp(-decay * dt * n)),  # exact
    ]:
        rule = bx.plasticity.Hebbian(eta, decay, solver=solver)
        _, w, _ = train_constant(rule, w0, x, y, dt, n)
        np.testing.assert_allclose(w, w_inf * (1 - factor), rtol=1e-5)


def test_rate_rule_shape_errors():
    rule = bx.plasticity.Oja()
    with pytest.raises(ValueError, match=r"w \(n_pre, n_post\)"):
        rule.update(jnp.zeros((2, 1)), jnp.zeros(3), jnp.zeros(1), 1.0)
    with pytest.raises(ValueError, match="eta"):
        bx.plasticity.Oja(eta=-1.0)
    with pytest.raises(ValueError, match="n_post"):
        bx.plasticity.BCM(0)
    # Integer weights would truncate the rates cast to their dtype.
    # (Under the jaxtyping test hook its check names the argument first.)
    message = "`w` has dtype int32; the weights must be|parameter 'w'"
    with pytest.raises(TypeError, match=message):
        bx.plasticity.Hebbian(eta=0.1).update(
            jnp.zeros((2, 1), jnp.int32), jnp.array([0.5, 0.9]), jnp.array([0.7]), 1.0
        )


def test_bcm_threshold_size_must_match_the_post_neurons():
    rule = bx.plasticity.BCM(2)
    with pytest.raises(ValueError, match="n_post = 3"):
        rule.update(jnp.zeros((4, 3)), jnp.zeros(4), jnp.zeros(3), 1.0)
