# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for tools/analysis/benchmark_train.py (tiny synthetic run)."""
import os.path as osp

import pytest

from hallucinet_mm.store import build_store_spec, compare_specs
from hallucinet_mm.store.spec import dataset_cfg
from mmengine.config import Config

from tests.tools.tool_runner import checked_json, run_report
from tools.analysis.benchmark_train import (ROOT, RUNS, TARGETS, build_cfgs,
                                            derive_store_cfg, main)

BATCH, WARMUP, ITERS, SAMPLES = 2, 1, 2, 4


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    """One tiny synthetic run: the returned report and the JSON file."""
    tmp = tmp_path_factory.mktemp('benchmark')
    return run_report(main, [
        '--setting', 'synthetic', '--batch-size',
        str(BATCH), '--warmup',
        str(WARMUP), '--iters',
        str(ITERS), '--num-samples',
        str(SAMPLES), '--pipeline-samples', '3', '--num-frames', '20',
        '--threads', '1', '--work-dir',
        str(tmp / 'work')
    ], tmp / 'train.json')


def test_json_structure(report):
    written = checked_json(
        report, 'python tools/analysis/benchmark_train.py --setting synthetic')
    for key in ('meta', 'settings', 'store', 'model', 'pipeline'):
        assert key in written, key
    meta = written['meta']
    assert meta['device'] == 'cpu' and meta['threads'] == 1
    assert 'PyTorch' in meta['env']
    s = written['settings']
    assert (s['setting'], s['batch_size'], s['warmup'],
            s['iters']) == ('synthetic', BATCH, WARMUP, ITERS)
    assert s['input_shapes']['vanilla'] == {'imgs': [1, 3, 32, 32]}
    assert s['input_shapes']['online']['teacher_imgs'] == [1, 3, 16, 32, 32]
    assert s['input_shapes']['store']['teacher_feats'] == [1, 64]
    store = written['store']
    assert (store['num_samples'], store['steps'],
            store['feat_dim']) == (SAMPLES, 1, 64)
    assert osp.isfile(osp.join(store['dir'], 'manifest.json'))


def test_runs_are_comparable(report):
    model = report[1]['model']
    assert set(model['runs']) == set(RUNS)
    for name, run in list(model['runs'].items()) + list(
            model['parts'].items()):
        assert run['batch_size'] == BATCH, name
        assert run['iters'] == ITERS, name
        assert run['num_samples'] == BATCH * ITERS, name
        assert len(run['times_s']) == ITERS, name
        assert len(run['warmup_times_s']) == WARMUP, name
        assert run['samples_per_s_median'] > 0, name
        assert run['samples_per_s_overall'] > 0, name
        assert run['samples_per_s_median'] == pytest.approx(
            BATCH / run['median_ms'] * 1e3)
        assert run['samples_per_s_overall'] == pytest.approx(
            BATCH * ITERS / sum(run['times_s']))


def test_ratios_come_from_the_reported_numbers(report):
    model = report[1]['model']
    runs = model['runs']
    assert set(model['ratios']) == set(TARGETS)
    for name, ratio in model['ratios'].items():
        num, den = name.split('/')
        for basis in ('median', 'overall'):
            key = f'samples_per_s_{basis}'
            assert ratio[basis] == pytest.approx(runs[num][key] /
                                                 runs[den][key])
            target = TARGETS[name]
            expected = None if target is None else ratio[basis] >= target
            assert ratio[f'pass_{basis}'] == expected
    b = model['online_breakdown']
    assert b['step_s'] == pytest.approx(runs['online']['median_ms'] / 1e3)
    assert b['teacher_forward_s'] > 0
    assert b['step_s'] == pytest.approx(b['teacher_forward_s'] +
                                        b['preprocess_s'] + b['rest_s'])


def test_pipelines(report):
    pipeline = report[1]['pipeline']
    frames = {
        name: p['decoded_frames_per_sample']
        for name, p in pipeline['dataset'].items()
    }
    assert frames == dict(vanilla=1, online=16, store=1)
    for name, p in pipeline['dataset'].items():
        assert p['num_samples'] == 3, name
        assert p['samples_per_s_median'] > 0, name


def test_derived_store_cfg_matches_the_store_config(tmp_path):
    """The derivation reproduces the shipped synthetic store config."""
    videos = dict(
        train_ann=str(tmp_path / 'train.txt'),
        video_dir=str(tmp_path / 'videos'))
    ckpt, store = str(tmp_path / 'teacher.pth'), str(tmp_path / 'store')
    (tmp_path / 'teacher.pth').write_bytes(b'')  # hashed, never loaded
    cfgs = build_cfgs('synthetic', videos, 4, ckpt, store)
    assert cfgs['online'].model.teacher is not None  # not modified
    shipped = Config.fromfile(
        osp.join(ROOT, 'configs/synthetic/hallucinet_r18_synthetic_store.py'))
    shipped.merge_from_dict({'store_teacher.checkpoint': ckpt})
    derived = cfgs['store']
    assert derived.model.teacher is None
    assert compare_specs(
        build_store_spec(derived), build_store_spec(shipped)) == []
    types = [t['type'] for t in dataset_cfg(derived, 'train')['pipeline']]
    assert types == [
        t['type'] for t in dataset_cfg(shipped, 'train')['pipeline']
    ]
    assert derive_store_cfg(cfgs['online'], store).store_teacher.checkpoint \
        == ckpt


def test_paper_cfgs(tmp_path):
    videos = dict(
        train_ann=str(tmp_path / 'train.txt'),
        video_dir=str(tmp_path / 'videos'))
    cfgs = build_cfgs('paper', videos, 4, str(tmp_path / 't.pth'),
                      str(tmp_path / 'store'))
    for run in RUNS:
        assert cfgs[run].model.backbone.weights is None
        assert cfgs[run].model.backbone.type == 'torchvision.vgg11_bn'
    assert cfgs['online'].model.teacher.model.backbone.depth == 101
    assert cfgs['store'].model.teacher is None
    store_pipeline = dataset_cfg(cfgs['store'], 'train')['pipeline']
    assert store_pipeline[1]['with_teacher'] is False
    assert store_pipeline[4]['type'] == 'LoadTeacherFeatures'
    assert cfgs['store'].store_teacher.checkpoint == str(tmp_path / 't.pth')


def test_bad_arguments_name_the_option(capsys):
    for args, option in ((['--amp'], '--amp'), (['--iters', '0'], '--iters'),
                         (['--num-samples', '0'], '--num-samples')):
        with pytest.raises(SystemExit):
            main(args)
        assert option in capsys.readouterr().err
