# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""A child interpreter's environment, for the compat tests."""
import os
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def subprocess_env():
    """The environment of a child interpreter that imports this checkout."""
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    env['OMP_NUM_THREADS'] = '1'
    return env
