"""The synthetic main job's table: paired differences and their interval."""
from hallucinet_mm.evaluation.synthetic_demo_report import (STUDENTS,
                                                            format_table,
                                                            paired_interval,
                                                            summarise)


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


def test_paired_interval_is_the_t_interval_written_out():
    # diffs 0.1 and 0.3: mean 0.2, sd 0.1414, t(0.975, 1 dof) = 12.706.
    half = 12.706 * 0.1414214 / 2**0.5
    lo, hi = 0.2 - half, 0.2 + half
    assert paired_interval([0.1, 0.3]) == (f'[{lo:+.3f}, {hi:+.3f}], '
                                           '2/2 seeds > 0')
    assert paired_interval([0.05, -0.02, 0.01]).endswith('2/3 seeds > 0')
    assert paired_interval([0.2]) == 'n/a (one seed), 1/1 seeds > 0'
