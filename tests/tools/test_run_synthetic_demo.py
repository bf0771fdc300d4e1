"""The built-in main job: subsets, resuming, and end to end at a tiny size.

The table's logic is tested in tests/tools/synthetic_demo/test_report.py.
"""
import glob
import json
import os
import os.path as osp
import sys

import pytest

from tools.synthetic_demo.report import STUDENTS
from tests.tools.tool_runner import ROOT, run_tool
from tools.run_synthetic_demo import SETTINGS, parse_args, write_subsets
from tools.synthetic_demo.runs import check_settings, finished_run, save_run


def _settings(argv):
    """The demo's settings record and resume flag for a command line."""
    args = parse_args(argv)
    return {key: getattr(args, key) for key in SETTINGS}, args.resume

TINY = [
    '--seeds', '0', '--teacher-epochs', '1', '--student-iters', '4',
    '--val-interval', '2', '--pool-per-class', '2', '--labeled-per-class',
    '1', '--eval-per-class', '1', '--teacher-per-class', '2',
    '--pseudo-threshold', '0.1'
]


def test_subsets_are_per_class_disjoint_and_seeded(tmp_path):
    ann = tmp_path / 'train.txt'
    ann.write_text(''.join(f'train/c{y}_{i}.mp4 {y}\n' for i in range(5)
                           for y in range(3)))
    data = dict(train_ann=str(ann), num_classes=3)
    write_subsets(data, 0, 2, str(tmp_path / 's0'))
    write_subsets(data, 1, 2, str(tmp_path / 's1'))
    labeled = (tmp_path / 's0' / 'labeled.txt').read_text().split('\n')[:-1]
    unlabeled = (tmp_path / 's0' / 'unlabeled.txt').read_text().split()
    assert sorted(int(line.split()[1]) for line in labeled) == [0, 0, 1, 1, 2,
                                                               2]
    assert len(unlabeled) == 9 and all(len(u.split()) == 1 for u in unlabeled)
    assert not {line.split()[0] for line in labeled} & set(unlabeled)
    assert (tmp_path / 's1' / 'labeled.txt').read_text() != '\n'.join(labeled)


def test_demo_writes_table_json_and_plot(tmp_path):
    out = run_tool([
        sys.executable,
        osp.join(ROOT, 'tools', 'run_synthetic_demo.py'), '--work-dir',
        str(tmp_path), *TINY, '--student-cfg-options',
        'optim_wrapper.optimizer.fused=False'
    ])
    assert '[7/7]' in out and 'HalluciNet + unlabeled set' in out
    # The diagnostic options reach every student run, and only those.
    for row in STUDENTS:
        dumped = glob.glob(str(tmp_path / 'cue' / 'seed0' / row / '*.py'))
        assert "fused=False" in open(dumped[0]).read(), row
    teacher_cfg = glob.glob(str(tmp_path / 'teacher_domain' / 'teacher' /
                                '*.py'))
    assert 'fused' not in open(teacher_cfg[0]).read()
    results = json.load(open(tmp_path / 'results.json'))
    cue = results['results']['cue']
    assert 0.0 <= results['results']['teacher']['test_acc'] <= 1.0
    assert 0.0 <= cue['probe']['0'] <= 1.0
    pseudo = cue['0']['pseudo_label']['pseudo_labels']
    assert pseudo['threshold'] == 0.1 and pseudo['num_unlabeled'] == 6
    assert pseudo['num_kept'] == 6  # every top score of 6 classes >= 0.1
    for row in STUDENTS:
        assert 0.0 <= cue['0'][row]['test_acc'] <= 1.0
        assert cue['0'][row]['best_iter'] in (2, 4)
    assert 'val_r2' in cue['0']['hallucinet_unlabeled']
    assert 'test split' in results['protocol']
    assert osp.getsize(tmp_path / 'curves.png') > 10_000
    table = (tmp_path / 'results.md').read_text()
    assert table.startswith('Test top-1')
    # --summarise recomputes the same table from results.json.
    again = run_tool([
        sys.executable,
        osp.join(ROOT, 'tools', 'run_synthetic_demo.py'), '--summarise',
        str(tmp_path / 'results.json')
    ])
    assert table.strip() in again
    # --resume after an interruption: the finished runs are reused, the
    # unfinished one (no demo_run.json) is rerun from a clean directory, and
    # the table is the same (the runs are deterministic).
    os.remove(tmp_path / 'cue' / 'seed0' / 'hallucinet' / 'demo_run.json')
    resumed = run_tool([
        sys.executable,
        osp.join(ROOT, 'tools', 'run_synthetic_demo.py'), '--work-dir',
        str(tmp_path), *TINY, '--student-cfg-options',
        'optim_wrapper.optimizer.fused=False', '--resume'
    ])
    assert resumed.count('(reused)') == 5
    assert 'cue seed 0 hallucinet: test top-1' in resumed
    assert len(glob.glob(str(tmp_path / 'cue/seed0/hallucinet/2*'))) == 2
    assert json.load(open(tmp_path / 'results.json'))['results'] == \
        results['results']


def test_finished_run_reused_only_with_resume_and_the_same_command(tmp_path):
    run = tmp_path / 'run'
    run.mkdir()
    (run / 'best.pth').write_text('x')
    save_run(str(run), ['train', 'a'], dict(test_acc=0.5))
    assert finished_run(str(run), ['train', 'a'], True) == dict(test_acc=0.5)
    assert (run / 'best.pth').exists()
    with pytest.raises(ValueError, match='demo_run.json was made by another'):
        finished_run(str(run), ['train', 'b'], True)
    # Without --resume every run starts clean.
    assert finished_run(str(run), ['train', 'a'], False) is None
    assert not run.exists()


def test_unfinished_run_is_cleared(tmp_path):
    run = tmp_path / 'run'
    (run / '20261130_000000').mkdir(parents=True)
    assert finished_run(str(run), ['train'], True) is None
    assert not run.exists()
    assert finished_run(str(tmp_path / 'never'), ['train'], True) is None


def test_damaged_record_or_missing_checkpoint_means_unfinished(tmp_path):
    run = tmp_path / 'run'
    run.mkdir()
    (run / 'demo_run.json').write_text('{"command": ["tr')
    assert finished_run(str(run), ['train'], True) is None
    assert not run.exists()
    run.mkdir()
    save_run(str(run), ['train'], dict(ckpt=str(run / 'gone.pth')))
    assert finished_run(str(run), ['train'], True) is None
    run.mkdir()
    (run / 'epoch_1.pth').write_text('x')
    save_run(str(run), ['train'], dict(ckpt=str(run / 'epoch_1.pth')))
    assert finished_run(str(run), ['train'], True)['ckpt'].endswith('1.pth')


def test_resume_refused_with_other_settings_before_any_data(tmp_path):
    work = str(tmp_path / 'demo')
    with pytest.raises(ValueError, match='demo_settings.json is missing'):
        check_settings(work, *_settings(['--resume']))
    assert not osp.exists(work)
    check_settings(work, *_settings(['--seeds', '0']))
    # More seeds may be added; other data sizes or thread counts may not.
    check_settings(work, *_settings(['--resume', '--seeds', '0', '1']))
    for other in (['--pool-per-class', '30'], ['--jobs', '1'],
                  ['--student-iters', '1000'], ['--teacher-per-class', '40'],
                  ['--pseudo-threshold', '0.8']):
        with pytest.raises(ValueError, match='holds other settings'):
            check_settings(work, *_settings(['--resume', *other]))
    (tmp_path / 'demo' / 'demo_settings.json').write_text('{"pool')
    with pytest.raises(ValueError, match='demo_settings.json is damaged'):
        check_settings(work, *_settings(['--resume']))
