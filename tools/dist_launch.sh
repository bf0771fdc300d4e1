#!/usr/bin/env bash
# Usage: tools/dist_launch.sh TOOL N_POS ARGS...
# The body of tools/dist_train.sh and tools/dist_test.sh: runs tools/TOOL
# under torch.distributed.run. ARGS are the launcher's own arguments: the
# tool's N_POS positional arguments (CONFIG [CHECKPOINT]), then GPUS, then
# any further arguments for the tool (after --launcher pytorch).
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT as in MMAction2.
# On a host without CUDA, GPUS is the number of CPU processes (gloo).
set -e
TOOL=$1
N_POS=$2
shift 2
POS=()
for ((i = 1; i <= N_POS; i++)); do POS+=("${!i}"); done
i=$((N_POS + 1))
GPUS=${!i}
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
source "$(dirname "$0")/find_python.sh"

PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$(dirname "$0")/$TOOL" \
    "${POS[@]}" \
    --launcher pytorch "${@:$((N_POS + 2))}"
