#!/usr/bin/env bash
# The GPU figures of the docs, in one run on a machine with one CUDA GPU.
#
# Usage: OUT=outputs/gpu bash benchmarks/gpu.sh [fashion-mnist-dir]
#
# Runs, each under its own time limit, writing one log per part to $OUT:
#   k80*.txt      the fixed-in-degree COBA at 4000 .. 10^6 neurons, through the
#                 gather and the compacted event-driven strategy (spike counts
#                 recorded, not events);
#   cnn/          the spiking CNN trained on all 60000 Fashion-MNIST images;
#   training.txt  the training throughput of the 784-256-10 spiking MLP;
#   networks.txt  COBA and COBAHH at 4000 and 16000 neurons.
# The Fashion-MNIST IDX files come from the Debian package
# `dataset-fashion-mnist`, or from the folder given as the first argument.
set -u
OUT=${OUT:-outputs/gpu}
DATA=${1:-/usr/share/datasets/fashion-mnist}
mkdir -p "$OUT"
export PYTHONPATH="src${PYTHONPATH:+:$PYTHONPATH}"

part() {  # part NAME SECONDS COMMAND...: run COMMAND with a limit, log to $OUT/NAME
  local name=$1 limit=$2
  shift 2
  echo "== $name (limit ${limit} s): $*"
  local start=$SECONDS
  timeout "$limit" "$@" >"$OUT/$name" 2>&1
  echo "   exit $? after $((SECONDS - start)) s"
  tail -n 4 "$OUT/$name"
}

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python -c "import jax, equinox, diffrax, optax; print('jax', jax.__version__, jax.devices())"
part k80.txt 120 python benchmarks/networks.py --networks coba_k80 \
  --sizes 4000,16000,100000,1000000 --repeats 1 --record counts --propagation gather
part k80_compacted.txt 110 python benchmarks/networks.py --networks coba_k80 \
  --sizes 4000,16000,100000,1000000 --repeats 1 --record counts --propagation compacted
part k80_compacted_3.5.txt 45 python benchmarks/networks.py --networks coba_k80 \
  --sizes 1000000 --repeats 1 --record counts --propagation compacted \
  --compacted-fraction 0.035
part cnn.txt 180 python examples/spiking_cnn_fashion_mnist.py --train-size 60000 \
  --epochs 4 --time-budget 150 --data "$DATA" --out "$OUT/cnn"
part training.txt 40 python benchmarks/training.py --repeats 5 --steps 20
part networks.txt 80 python benchmarks/networks.py --networks coba,cobahh \
  --sizes 4000,16000 --repeats 1
