#!/usr/bin/env bash
# Sourced by tools/*.sh: sets PYTHON, the interpreter to run the tools with.
# An explicit $PYTHON wins; else the project's virtual environment
# (.venv, made by `make install`) when it exists; else `python` on PATH.
_HALLUCINET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${PYTHON:-}" ]; then
    if [ -x "${_HALLUCINET_ROOT}/.venv/bin/python" ]; then
        PYTHON="${_HALLUCINET_ROOT}/.venv/bin/python"
    else
        PYTHON=python
    fi
fi
export PYTHON
