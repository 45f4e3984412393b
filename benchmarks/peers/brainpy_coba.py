"""COBA network in BrainPy (brainpy.dyn): the driven timing variant of BENCHMARKS.md.

Vogels & Abbott (2005), as benchmark 1 of Brette et al. (2007), J Comput Neurosci
23:349, in the driven form of BrainPy's own benchmark: N = 4000 LIF neurons
(3200 E + 800 I), p = 0.02, tau_m = 20 ms, E_L = V_r = -60 mV, V_th = -50 mV,
refractory 5 ms, exponential conductances (tau_e = 5 ms, tau_i = 10 ms) with
reversal potentials E_e = 0 and E_i = -80 mV, weights 0.6 and 6.7 in units of
g_L = 10 nS (6 and 67 nS), a constant drive of 20 mV (200 pA), V0 ~ N(-55, 2) mV.
Voltages in mV, conductances in units of g_L, R = 1. Event-driven CSR projections
(``bp.dnn.EventCSRLinear``) aligned on the post-synaptic side; float32,
exponential Euler (``exp_auto``), dt = 0.1 ms, 1 s. Expected rates at N = 4000:
about 21 Hz (E and I; REFERENCES.md).

Run in the BrainPy virtualenv (see README.md):
`python brainpy_coba.py [--n N] [--fixed-indegree 80]`. Prints one JSON line; the
timings are described in _brainpy_run.py.
"""

from _brainpy_run import run
from _common import P_CONN, fixed_indegree, parse_args


DRIVE = 20.0  # mV: 200 pA through 1 / g_L = 100 MOhm


def connector(bp, args, n_pre, k, rng):
    if args.fixed_indegree:
        pre, post = fixed_indegree(n_pre, args.n, k, rng)
        return bp.conn.IJConn(i=pre, j=post)(n_pre, args.n)
    return bp.conn.FixedProb(P_CONN, seed=int(rng.integers(2**31)))(n_pre, args.n)


def build(bp, args, rng):
    n_e = args.n_e

    class EINet(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.neurons = bp.dyn.LifRef(
                args.n,
                V_rest=-60.0,
                V_th=-50.0,
                V_reset=-60.0,
                tau=20.0,
                tau_ref=5.0,
                V_initializer=bp.init.Normal(-55.0, 2.0),
            )

            def projection(n_pre, k, weight, tau, e_rev):
                conn = connector(bp, args, n_pre, k, rng)
                return bp.dyn.HalfProjAlignPostMg(
                    comm=bp.dnn.EventCSRLinear(conn, weight * args.w_scale),
                    syn=bp.dyn.Expon.desc(args.n, tau=tau),
                    out=bp.dyn.COBA.desc(E=e_rev),
                    post=self.neurons,
                )

            self.exc = projection(n_e, getattr(args, "k_e", 0), 0.6, 5.0, 0.0)
            self.inh = projection(args.n_i, getattr(args, "k_i", 0), 6.7, 10.0, -80.0)

        def update(self):
            spikes = self.neurons.spike.value  # the previous step's spikes
            self.exc(spikes[:n_e])
            self.inh(spikes[n_e:])
            spikes = self.neurons(DRIVE)
            return spikes[:n_e].sum(), spikes[n_e:].sum()

    net = EINet()
    return net, lambda: bp.reset_state(net)


if __name__ == "__main__":
    run(parse_args(__doc__.splitlines()[0]), "coba", build)
