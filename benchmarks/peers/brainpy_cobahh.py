"""COBAHH network in BrainPy (``brainpy.dyn``): Brette et al. (2007) benchmark 3.

Brette et al. (2007), J Comput Neurosci 23:349, benchmark 3 (after Destexhe et al.
2001): N = 4000 Hodgkin-Huxley neurons with Traub-Miles rates (3200 E + 800 I),
p = 0.02, conductance-based exponential synapses, self-sustained (no drive).
For a membrane of 20000 um^2: C = 200 pF, g_L = 10 nS, g_Na = 20 uS, g_Kd = 6 uS,
E_L = -60, E_K = -90, E_Na = 50 mV, V_T = -63 mV; E_e = 0, E_i = -80 mV,
tau_e = 5, tau_i = 10 ms, w_e = 6 nS, w_i = 67 nS. A spike is an upward crossing
of -20 mV. Initial state as in Brian2's example: V = E_L + 5 randn - 5 mV,
g_e = (1.5 randn + 4) x 10 nS, g_i = (12 randn + 20) x 10 nS, m = n = h = 0.
Units mV, ms, pF, nS, pA. Event-driven CSR projections (``bp.dnn.EventCSRLinear``)
aligned on the post-synaptic side; float32, exponential Euler (``exp_auto``),
dt = 0.1 ms, 1 s. Expected rates at N = 4000: about 34-36 Hz (REFERENCES.md).

Run in the BrainPy virtualenv (see README.md):
`python brainpy_cobahh.py [--n N] [--fixed-indegree 80]`. Prints one JSON line;
the timings are described in _brainpy_run.py.
"""

from _brainpy_run import run
from _common import parse_args
from brainpy_coba import connector


V_T = -63.0  # mV


def build(bp, args, rng):
    import brainpy.math as bm

    n_e = args.n_e

    class TraubHH(bp.dyn.HH):
        """HH with Traub-Miles rates (x / (exp(x / k) - 1) = k / exprel(x / k))."""

        def m_alpha(self, V):
            return 1.28 / bm.exprel((13.0 - V + V_T) / 4.0)

        def m_beta(self, V):
            return 1.4 / bm.exprel((V - V_T - 40.0) / 5.0)

        def h_alpha(self, V):
            return 0.128 * bm.exp((17.0 - V + V_T) / 18.0)

        def h_beta(self, V):
            return 4.0 / (1.0 + bm.exp((40.0 - V + V_T) / 5.0))

        def n_alpha(self, V):
            return 0.16 / bm.exprel((15.0 - V + V_T) / 5.0)

        def n_beta(self, V):
            return 0.5 * bm.exp((10.0 - V + V_T) / 40.0)

    class EINet(bp.DynSysGroup):
        def __init__(self):
            super().__init__()
            self.neurons = TraubHH(
                args.n,
                ENa=50.0,
                gNa=20000.0,
                EK=-90.0,
                gK=6000.0,
                EL=-60.0,
                gL=10.0,
                C=200.0,
                V_th=-20.0,
                V_initializer=bp.init.Normal(-65.0, 5.0),
                m_initializer=bp.init.ZeroInit(),
                h_initializer=bp.init.ZeroInit(),
                n_initializer=bp.init.ZeroInit(),
            )

            def projection(n_pre, k, weight, tau, e_rev):
                conn = connector(bp, args, n_pre, k, rng)
                return bp.dyn.HalfProjAlignPostMg(
                    comm=bp.dnn.EventCSRLinear(conn, weight * args.w_scale),
                    syn=bp.dyn.Expon.desc(args.n, tau=tau),
                    out=bp.dyn.COBA.desc(E=e_rev),
                    post=self.neurons,
                )

            self.exc = projection(n_e, getattr(args, "k_e", 0), 6.0, 5.0, 0.0)
            self.inh = projection(args.n_i, getattr(args, "k_i", 0), 67.0, 10.0, -80.0)

        def update(self):
            spikes = self.neurons.spike.value  # the previous step's spikes
            self.exc(spikes[:n_e])
            self.inh(spikes[n_e:])
            spikes = self.neurons()
            return spikes[:n_e].sum(), spikes[n_e:].sum()

    net = EINet()

    def reset():
        bp.reset_state(net)
        net.exc.syn.g.value = bm.asarray(10.0 * (1.5 * rng.standard_normal(args.n) + 4))
        net.inh.syn.g.value = bm.asarray(10.0 * (12 * rng.standard_normal(args.n) + 20))

    reset()
    return net, reset


if __name__ == "__main__":
    run(parse_args(__doc__.splitlines()[0]), "cobahh", build)
