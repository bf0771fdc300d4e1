# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Tests for tools/analysis/benchmark_demo_step.py (tiny run)."""
import pytest

from tests.tools.tool_runner import checked_json, run_report
from tools.analysis.benchmark_demo_step import (DECODE_PARTS, MODEL_PARTS,
                                                SETTINGS, build_cfg, main,
                                                parse_args)

BATCH, REPEATS, ITERS, VIDEOS = 2, 2, 10, 7


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    """One tiny run: the returned report and the JSON file."""
    tmp = tmp_path_factory.mktemp('demo_step')
    return run_report(main, [
        '--batch-size', str(BATCH), '--repeats', str(REPEATS), '--warmup',
        '0', '--block-steps', '3', '--process-repeats', '1', '--iters',
        str(ITERS), '--videos-per-run', str(VIDEOS), '--videos-per-class',
        '2', '--work-dir', str(tmp / 'work')
    ], tmp / 'demo_step.json')


def test_json_keys(report):
    written = checked_json(
        report, 'python tools/analysis/benchmark_demo_step.py --batch-size 2')
    assert set(written) == {'meta', 'settings', 'process_start', 'parts',
                            'summary'}
    meta = written['meta']
    assert meta['threads'] == 1 and meta['date']
    assert meta['lscpu_model']
    s = written['settings']
    assert (s['batch_size'], s['repeats'], s['iters']) == (BATCH, REPEATS,
                                                           ITERS)
    assert s['processes_per_run'] == {'before': 2, 'after': 1}
    assert s['input_shapes']['before'] == {
        'imgs': [1, 3, 32, 32], 'teacher_imgs': [1, 3, 16, 32, 32]}
    assert s['input_shapes']['after'] == {
        'imgs': [1, 3, 32, 32], 'teacher_imgs': [1, 3, 16, 16, 16]}


def test_parts_are_positive(report):
    parts = report[1]['parts']
    names = set(DECODE_PARTS) | set(MODEL_PARTS.values()) | {
        'pipeline', 'loader_wait', 'loop_step', 'loader_iter_start'}
    for setting in SETTINGS:
        assert set(parts[setting]) == names
        for name, stats in parts[setting].items():
            assert stats['median_ms'] > 0, (setting, name)
            assert stats['p90_ms'] >= stats['median_ms'], (setting, name)
        assert parts[setting]['train_step']['repeats'] == REPEATS
        assert parts[setting]['loop_step']['repeats'] == REPEATS * 1
    assert report[1]['process_start']['median_ms'] > 0


def test_summary(report):
    summary, start = report[1]['summary'], report[1]['process_start']
    for setting, processes in (('before', 2), ('after', 1)):
        entry = summary[setting]
        assert entry['step_s'] > 0 and entry['teacher_forward_s'] > 0
        run = entry['run']
        assert run['process_start_s'] == pytest.approx(
            processes * start['median_ms'] / 1e3)
        assert run['steps_s'] == pytest.approx(ITERS * entry['step_s'])
        assert run['total_s'] == pytest.approx(
            sum(v for k, v in run.items() if k.endswith('_s')
                and k != 'total_s'))
    ratio = summary['before/after']
    assert ratio['step'] == pytest.approx(summary['before']['step_s'] /
                                          summary['after']['step_s'])
    assert ratio['run'] > 0


def test_before_overrides():
    videos = dict(labeled='l.txt', unlabeled='u.txt', video_dir='v')
    before, after = (build_cfg(s, videos, 'ckpt.pth') for s in SETTINGS)
    assert (before.model.backbone.num_stages,
            after.model.backbone.num_stages) == (4, 3)
    assert (before.model.cls_head.in_channels,
            after.model.cls_head.in_channels) == (512, 256)
    assert (before.train_dataloader.num_workers,
            after.train_dataloader.num_workers) == (1, 0)
    for cfg, resized in ((before, False), (after, True)):
        assert cfg.model.teacher.checkpoint == 'ckpt.pth'
        unlabeled = cfg.train_dataloader.dataset.datasets[1]
        assert unlabeled.ann_file == 'u.txt'
        split = [t for t in unlabeled.pipeline
                 if t['type'] == 'SplitStudentTeacher']
        assert ('teacher_pipeline' in split[0]) is resized


@pytest.mark.parametrize('option', [['--block-steps', '2'],
                                    ['--repeats', '0'],
                                    ['--warmup', '-1']])
def test_bad_options(option, capsys):
    with pytest.raises(SystemExit):
        parse_args(option)
    assert option[0] in capsys.readouterr().err
