#!/usr/bin/env bash
# Usage: [GPUS=8] tools/slurm_launch.sh TOOL N_POS PARTITION JOB_NAME ARGS...
# The body of tools/slurm_train.sh and tools/slurm_test.sh: runs tools/TOOL
# with srun. ARGS are the tool's N_POS positional arguments
# (CONFIG [CHECKPOINT]), then any further arguments for the tool (after
# --launcher="slurm").
set -x
TOOL=$1
N_POS=$2
PARTITION=$3
JOB_NAME=$4
set -- "${@:5}"
POS=()
for ((i = 1; i <= N_POS; i++)); do POS+=("${!i}"); done
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
source "$(dirname "$0")/find_python.sh"
PY_ARGS=${@:$((N_POS + 1))}

PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
srun -p "${PARTITION}" \
    --job-name="${JOB_NAME}" \
    --gres=gpu:"${GPUS_PER_NODE}" \
    --ntasks="${GPUS}" \
    --ntasks-per-node="${GPUS_PER_NODE}" \
    --cpus-per-task="${CPUS_PER_TASK}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    "${PYTHON}" -u "$(dirname "$0")/${TOOL}" "${POS[@]}" --launcher="slurm" ${PY_ARGS}
