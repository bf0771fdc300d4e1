"""The built-in main job: table logic, and end to end at a tiny size."""
import glob
import json
import os.path as osp
import sys

from tests.tools.tool_runner import ROOT, run_tool
from tools.run_synthetic_demo import (STUDENTS, format_table,
                                      paired_interval, summarise,
                                      write_subsets)


def _fake_results(gain):
    res = {'teacher': dict(test_acc=0.95)}
    for seed, base in ((0, 0.3), (1, 0.4)):
        res[seed] = {
            row: dict(test_acc=base + gain * i, val_r2=0.1 * i)
            for i, row in enumerate(STUDENTS)
        }
    return res


def test_summary_pairs_each_seed_with_its_vanilla():
    table = summarise(dict(cue=_fake_results(0.1), null=_fake_results(0.0)),
                      [0, 1])
    cue, null = table['cue'], table['null']
    assert cue['vanilla'] == '0.350 +- 0.050'
    # hallucinet is row 1: +0.1 on both seeds, so the paired std is 0.
    assert cue['hallucinet - vanilla'] == '0.100 +- 0.000 [+0.100, +0.100]'
    assert cue['hallucinet_unlabeled - vanilla'].startswith('0.200 +- 0.000')
    assert null['hallucinet - vanilla'].startswith('0.000 +- 0.000')
    assert cue['hallucinet val R^2'] == '0.100 +- 0.000'
    assert cue['hallucinet - vanilla 95% CI'] == ('[+0.100, +0.100], '
                                                  '2/2 seeds > 0')
    text = format_table(table, [0, 1])
    assert '95% t-interval of the mean' in text
    assert 'cue-only ceiling' in text and 'val R^2' in text
    assert text.splitlines()[1].split() == ['cue', 'null']


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
        str(tmp_path), '--seeds', '0', '--teacher-epochs', '1',
        '--student-iters', '4', '--val-interval', '2', '--pool-per-class',
        '2', '--labeled-per-class', '1', '--eval-per-class', '1',
        '--student-cfg-options', 'optim_wrapper.optimizer.fused=False'
    ])
    assert '[5/5]' in out and 'HalluciNet + unlabeled pool' in out
    # The diagnostic options reach every student run, and only those.
    for row in STUDENTS:
        dumped = glob.glob(str(tmp_path / 'cue' / 'seed0' / row / '*.py'))
        assert "fused=False" in open(dumped[0]).read(), row
    teacher_cfg = glob.glob(str(tmp_path / 'cue' / 'teacher' / '*.py'))
    assert 'fused' not in open(teacher_cfg[0]).read()
    results = json.load(open(tmp_path / 'results.json'))
    cue = results['results']['cue']
    assert 0.0 <= cue['teacher']['test_acc'] <= 1.0
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


def test_paired_interval_is_the_t_interval_written_out():
    # diffs 0.1 and 0.3: mean 0.2, sd 0.1414, t(0.975, 1 dof) = 12.706.
    half = 12.706 * 0.1414214 / 2**0.5
    lo, hi = 0.2 - half, 0.2 + half
    assert paired_interval([0.1, 0.3]) == (f'[{lo:+.3f}, {hi:+.3f}], '
                                           '2/2 seeds > 0')
    assert paired_interval([0.05, -0.02, 0.01]).endswith('2/3 seeds > 0')
    assert paired_interval([0.2]) == 'n/a (one seed), 1/1 seeds > 0'
