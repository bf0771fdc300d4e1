#!/usr/bin/env bash
# Usage: [GPUS=8] tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [ARGS...]
exec bash "$(dirname "$0")/slurm_launch.sh" test.py 2 "$@"
