# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for hallucinet_mm/compat/cpu_distributed.py."""
import socket

import pytest
import torch
import torch.distributed as dist
from mmengine.config import Config

import hallucinet_mm  # noqa: F401  (applies the fixes)
from hallucinet_mm.compat import setup_cpu_distributed


_DIST_VARS = ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    for key in _DIST_VARS:
        monkeypatch.delenv(key, raising=False)


def test_setup_cpu_distributed_none_launcher(no_cuda):
    cfg = Config(dict(model=dict(type='X')))
    before = cfg.to_dict()
    assert setup_cpu_distributed(cfg, 'none') is False
    assert cfg.to_dict() == before
    assert 'model_wrapper_cfg' not in cfg
    assert not dist.is_initialized()


def test_setup_cpu_distributed_with_cuda_is_noop(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = Config(dict(model=dict(type='X')))
    assert setup_cpu_distributed(cfg, 'pytorch') is False
    assert 'model_wrapper_cfg' not in cfg


@pytest.mark.parametrize('missing', _DIST_VARS)
def test_setup_cpu_distributed_names_missing_variable(
        no_cuda, monkeypatch, missing):
    values = dict(RANK='0', WORLD_SIZE='1', MASTER_ADDR='127.0.0.1',
                  MASTER_PORT='29999')
    for key, value in values.items():
        if key != missing:
            monkeypatch.setenv(key, value)
    cfg = Config(dict(model=dict(type='X')))
    with pytest.raises(RuntimeError) as info:
        setup_cpu_distributed(cfg, 'pytorch')
    assert f'the {missing} environment variable' in str(info.value)
    assert 'torchrun' in str(info.value)
    assert not dist.is_initialized()
    assert 'model_wrapper_cfg' not in cfg


def test_setup_cpu_distributed_refuses_slurm(no_cuda):
    with pytest.raises(RuntimeError, match='slurm'):
        setup_cpu_distributed(Config(dict()), 'slurm')


def test_setup_cpu_distributed_single_process_gloo(no_cuda, monkeypatch):
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    for key, value in dict(RANK='0', WORLD_SIZE='1', MASTER_ADDR='127.0.0.1',
                           MASTER_PORT=str(port)).items():
        monkeypatch.setenv(key, value)
    assert not dist.is_initialized()
    cfg = Config(dict(model=dict(type='X')))
    try:
        assert setup_cpu_distributed(cfg, 'pytorch') is True
        assert dist.is_initialized()
        assert dist.get_backend() == 'gloo'
        assert dist.get_world_size() == 1
        assert cfg.model_wrapper_cfg == dict(
            type='MMDistributedDataParallel', device_ids=None)
        # Already initialised: an existing wrapper config keeps its type and
        # options, only device_ids is cleared.
        cfg2 = Config(dict(model_wrapper_cfg=dict(
            type='MMSeparateDistributedDataParallel',
            find_unused_parameters=True, device_ids=[0])))
        assert setup_cpu_distributed(cfg2, 'pytorch') is True
        assert cfg2.model_wrapper_cfg == dict(
            type='MMSeparateDistributedDataParallel',
            find_unused_parameters=True, device_ids=None)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
