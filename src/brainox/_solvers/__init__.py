"""Fixed-step solvers that diffrax lacks, as `diffrax.AbstractSolver` subclasses."""
