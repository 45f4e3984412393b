"""COBA network in Brian2, the driven timing variant of BENCHMARKS.md.

Vogels & Abbott (2005), as benchmark 1 of Brette et al. (2007), J Comput Neurosci
23:349: N = 4000 LIF neurons (3200 E + 800 I), p = 0.02, conductance-based
exponential synapses. The timing variant is BrainPy's driven one: C = 200 pF,
g_L = 10 nS, E_L = V_r = -60 mV, V_th = -50 mV, refractory 5 ms, E_e = 0 mV,
E_i = -80 mV, tau_e = 5 ms, tau_i = 10 ms, w_e = 6 nS, w_i = 67 nS (0.6 and 6.7
in units of g_L), a constant 200 pA drive, V0 ~ N(-55, 2) mV, g0 = 0; dt = 0.1 ms,
1 s, float64, forward Euler (Brian2's automatic choice for these equations).
Expected rates at N = 4000: about 19.6 Hz (E) and 21.0 Hz (I) (REFERENCES.md).

Run in the Brian2 virtualenv (see README.md):
`python brian2_coba.py [--device cpp_standalone|runtime] [--n N]
[--fixed-indegree 80]`. Prints one JSON line; the timings are described in
_brian2_run.py.
"""

from _brian2_run import run
from _common import fixed_indegree, parse_args


def build(b2, args, rng):
    from brian2 import ms, mV, nS, pA, pF

    params = dict(
        C=200 * pF,
        g_l=10 * nS,
        E_l=-60 * mV,
        V_th=-50 * mV,
        V_r=-60 * mV,
        E_e=0 * mV,
        E_i=-80 * mV,
        tau_e=5 * ms,
        tau_i=10 * ms,
        I_ext=200 * pA,
        w_e=6 * nS * args.w_scale,
        w_i=67 * nS * args.w_scale,
    )
    eqs = """
    dv/dt = (g_l*(E_l - v) + g_e*(E_e - v) + g_i*(E_i - v) + I_ext) / C
        : volt (unless refractory)
    dg_e/dt = -g_e / tau_e : siemens
    dg_i/dt = -g_i / tau_i : siemens
    """
    method = "euler"
    group = b2.NeuronGroup(
        args.n,
        eqs,
        threshold="v > V_th",
        reset="v = V_r",
        refractory=5 * ms,
        method=method,
        namespace=params,
    )
    group.v = "-55*mV + 2*mV*randn()"
    exc = b2.Synapses(group[: args.n_e], group, on_pre="g_e += w_e", namespace=params)
    inh = b2.Synapses(group[args.n_e :], group, on_pre="g_i += w_i", namespace=params)
    for syn, n_pre, k in ((exc, args.n_e, "k_e"), (inh, args.n_i, "k_i")):
        if args.fixed_indegree:
            pre, post = fixed_indegree(n_pre, args.n, getattr(args, k), rng)
            syn.connect(i=pre, j=post)
        else:
            syn.connect(p=0.02)
    return group, (group, exc, inh), method


if __name__ == "__main__":
    args = parse_args(__doc__.splitlines()[0], devices=("cpp_standalone", "runtime"))
    run(args, "coba", build)
