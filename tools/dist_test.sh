#!/usr/bin/env bash
# Usage: tools/dist_test.sh CONFIG CHECKPOINT GPUS [ARGS...]
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT as in MMAction2.
# On a host without CUDA, GPUS is the number of CPU processes (gloo).
exec bash "$(dirname "$0")/dist_launch.sh" test.py 2 "$@"
