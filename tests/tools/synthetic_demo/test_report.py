"""The synthetic main job's table: paired differences and their interval."""
from tools.synthetic_demo.report import (ROWS, STUDENTS, format_table,
                                         paired_interval, summarise,
                                         table_of_results_file)


def _fake_results(gain, rows=STUDENTS):
    res = {'probe': {0: 0.8, 1: 0.9}}
    for seed, base in ((0, 0.3), (1, 0.4)):
        res[seed] = {
            row: dict(test_acc=base + gain * i, val_r2=0.1 * i,
                      pseudo_labels=dict(coverage=0.5, kept_accuracy=0.4))
            for i, row in enumerate(rows)
        }
    return res


def _results():
    return dict(teacher=dict(test_acc=0.95), cue=_fake_results(0.1),
                null=_fake_results(0.0, ROWS['null']))


def test_summary_pairs_each_seed_with_its_vanilla():
    table = summarise(_results(), [0, 1])
    cue, null = table['cue'], table['null']
    assert cue['teacher'] == null['teacher'] == '0.950'
    assert cue['probe'] == '0.850 +- 0.050'
    # pseudo_label is row 3 of the cue column, hallucinet_unlabeled row 2.
    assert cue['hallucinet_unlabeled - pseudo_label'].startswith(
        '-0.100 +- 0.000')
    assert cue['pseudo accuracy'] == '0.400 +- 0.000'
    assert 'pseudo_label' not in null and \
        'hallucinet_unlabeled - pseudo_label' not in null
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
    # Rows in the order the evidence issue asks for.
    labels = [line.split('  ')[0] for line in text.splitlines()[2:9]]
    assert [label.split(' ')[0] for label in labels] == [
        'teacher', 'linear', 'vanilla', 'HalluciNet', 'HalluciNet',
        'pseudo-labels,', 'cue-only']
    assert text.splitlines()[7].split()[-1] == '-'  # no null baseline


def test_table_is_recomputed_from_results_json(tmp_path):
    import json
    results = _results()
    path = tmp_path / 'results.json'
    path.write_text(json.dumps(dict(args=dict(seeds=[0, 1]),
                                    results=results)))
    assert table_of_results_file(str(path)) == format_table(
        summarise(results, [0, 1]), [0, 1])


def test_paired_interval_is_the_t_interval_written_out():
    # diffs 0.1 and 0.3: mean 0.2, sd 0.1414, t(0.975, 1 dof) = 12.706.
    half = 12.706 * 0.1414214 / 2**0.5
    lo, hi = 0.2 - half, 0.2 + half
    assert paired_interval([0.1, 0.3]) == (f'[{lo:+.3f}, {hi:+.3f}], '
                                           '2/2 seeds > 0')
    assert paired_interval([0.05, -0.02, 0.01]).endswith('2/3 seeds > 0')
    assert paired_interval([0.2]) == 'n/a (one seed), 1/1 seeds > 0'
