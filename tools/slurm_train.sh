#!/usr/bin/env bash
# Usage: [GPUS=8] tools/slurm_train.sh PARTITION JOB_NAME CONFIG [ARGS...]
exec bash "$(dirname "$0")/slurm_launch.sh" train.py 1 "$@"
