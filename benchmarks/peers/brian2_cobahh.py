"""COBAHH network in Brian2: Brette et al. (2007) benchmark 3.

Brette et al. (2007), J Comput Neurosci 23:349, benchmark 3 (after Destexhe et al.
2001): N = 4000 Hodgkin-Huxley neurons with Traub-Miles rates (3200 E + 800 I),
p = 0.02, conductance-based exponential synapses, self-sustained (no drive).
Membrane area 20000 um^2, C = 1 uF/cm^2 (200 pF), g_L = 5e-5 S/cm^2 (10 nS),
g_Na = 100 mS/cm^2 (20 uS), g_Kd = 30 mS/cm^2 (6 uS), E_L = -60, E_K = -90,
E_Na = 50 mV, V_T = -63 mV; E_e = 0, E_i = -80 mV, tau_e = 5, tau_i = 10 ms,
w_e = 6 nS, w_i = 67 nS. A spike is v > -20 mV (refractory 3 ms, no reset).
Initial state as in Brian2's example: v = E_L + 5 randn - 5 mV,
g_e = (1.5 randn + 4) x 10 nS, g_i = (12 randn + 20) x 10 nS, m = n = h = 0.
dt = 0.1 ms, 1 s, float64, exponential Euler. Expected rates at N = 4000: about
34-36 Hz (REFERENCES.md).

Run in the Brian2 virtualenv (see README.md):
`python brian2_cobahh.py [--device cpp_standalone|runtime] [--n N]
[--fixed-indegree 80]`. Prints one JSON line; the timings are described in
_brian2_run.py.
"""

from _brian2_run import run
from _common import fixed_indegree, parse_args


def build(b2, args, rng):
    from brian2 import ms, mV, nS, pF, uS

    params = dict(
        C=200 * pF,
        g_l=10 * nS,
        g_na=20 * uS,
        g_kd=6 * uS,
        E_l=-60 * mV,
        E_k=-90 * mV,
        E_na=50 * mV,
        V_T=-63 * mV,
        E_e=0 * mV,
        E_i=-80 * mV,
        tau_e=5 * ms,
        tau_i=10 * ms,
        w_e=6 * nS * args.w_scale,
        w_i=67 * nS * args.w_scale,
    )
    # Traub-Miles rates; x / (exp(x / k) - 1) is written k / exprel(x / k).
    eqs = """
    dv/dt = (g_l*(E_l - v) + g_e*(E_e - v) + g_i*(E_i - v)
             - g_na*m**3*h*(v - E_na) - g_kd*n**4*(v - E_k)) / C : volt
    dm/dt = alpha_m*(1 - m) - beta_m*m : 1
    dh/dt = alpha_h*(1 - h) - beta_h*h : 1
    dn/dt = alpha_n*(1 - n) - beta_n*n : 1
    dg_e/dt = -g_e / tau_e : siemens
    dg_i/dt = -g_i / tau_i : siemens
    u = v - V_T : volt
    alpha_m = 1.28 / exprel((13*mV - u) / (4*mV)) / ms : Hz
    beta_m = 1.4 / exprel((u - 40*mV) / (5*mV)) / ms : Hz
    alpha_h = 0.128 * exp((17*mV - u) / (18*mV)) / ms : Hz
    beta_h = 4 / (1 + exp((40*mV - u) / (5*mV))) / ms : Hz
    alpha_n = 0.16 / exprel((15*mV - u) / (5*mV)) / ms : Hz
    beta_n = 0.5 * exp((10*mV - u) / (40*mV)) / ms : Hz
    """
    method = "exponential_euler"
    group = b2.NeuronGroup(
        args.n,
        eqs,
        threshold="v > -20*mV",
        refractory=3 * ms,
        method=method,
        namespace=params,
    )
    group.v = "E_l + (5*randn() - 5)*mV"
    group.g_e = "(1.5*randn() + 4) * 10*nS"
    group.g_i = "(12*randn() + 20) * 10*nS"
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
    run(args, "cobahh", build)
