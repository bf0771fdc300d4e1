# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The synthetic main job's report: the table, paired differences, curves.

``tools/run_synthetic_demo.py`` trains and tests the runs; this module turns
their results (``results.json``'s ``results``: column -> ``teacher`` and
seed -> row -> ``test_acc``, ``val_r2``, ``val_curve``) into the table.
"""
import json

import numpy as np

STUDENTS = ('vanilla', 'hallucinet', 'hallucinet_unlabeled', 'ceiling')
LABELS = dict(
    teacher='teacher (3D, 16 frames, whole pool)',
    vanilla='vanilla 2D (labeled set)',
    hallucinet='HalluciNet (labeled set; paper)',
    hallucinet_unlabeled='HalluciNet + unlabeled pool',
    ceiling='cue-only ceiling (labels on whole pool)')


def mean_std(values) -> str:
    """``'mean +- std'`` (population std) with three decimals."""
    values = np.asarray(values, dtype=float)
    return f'{values.mean():.3f} +- {values.std(ddof=0):.3f}'


def paired_interval(diffs) -> str:
    """95 % t-interval of the mean paired difference, and its sign count."""
    diffs = np.asarray(diffs, dtype=float)
    wins = f'{int((diffs > 0).sum())}/{len(diffs)} seeds > 0'
    if len(diffs) < 2:
        return f'n/a (one seed), {wins}'
    from scipy.stats import ttest_1samp
    ci = ttest_1samp(diffs, 0.0).confidence_interval(0.95)
    return f'[{ci.low:+.3f}, {ci.high:+.3f}], {wins}'


def summarise(results: dict, seeds: list) -> dict:
    """Table cells (mean +- std) and per-seed paired differences."""
    table = {}
    for col, res in results.items():
        cells = {'teacher': f'{res["teacher"]["test_acc"]:.3f}'}
        for row in STUDENTS:
            cells[row] = mean_std([res[s][row]['test_acc'] for s in seeds])
        for row in ('hallucinet', 'hallucinet_unlabeled'):
            diffs = [
                res[s][row]['test_acc'] - res[s]['vanilla']['test_acc']
                for s in seeds
            ]
            cells[f'{row} - vanilla'] = (
                f'{mean_std(diffs)} [' +
                ', '.join(f'{d:+.3f}' for d in diffs) + ']')
            cells[f'{row} - vanilla 95% CI'] = paired_interval(diffs)
            cells[f'{row} val R^2'] = mean_std(
                [res[s][row]['val_r2'] for s in seeds])
        table[col] = cells
    return table


def format_table(table: dict, seeds: list) -> str:
    """The cells of :func:`summarise` as a plain-text table, one column each."""
    names = [('teacher', LABELS['teacher'])] + [(r, LABELS[r])
                                                for r in STUDENTS]
    for row in ('hallucinet', 'hallucinet_unlabeled'):
        names += [(f'{row} - vanilla', f'  {LABELS[row]} - vanilla'),
                  (f'{row} - vanilla 95% CI', '    95% t-interval of the mean'),
                  (f'{row} val R^2', f'  {LABELS[row]}: val R^2')]
    cols = list(table)
    width = max(len(label) for _, label in names)
    cell = max(len(v) for c in cols for v in table[c].values())
    lines = [
        f'Test top-1, mean +- std over seeds {seeds} (paired differences '
        'per seed in brackets); chance 0.167',
        f'{"":<{width}}  ' + '  '.join(f'{c:<{cell}}' for c in cols)
    ]
    lines += [
        f'{label:<{width}}  ' + '  '.join(f'{table[c][key]:<{cell}}'
                                          for c in cols)
        for key, label in names
    ]
    return '\n'.join(lines)


def plot_curves(results: dict, seeds: list, out_file: str) -> None:
    """Validation top-1 against iteration, every row and seed, per column."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(results), figsize=(7 * len(results), 4),
                             squeeze=False)
    colours = dict(vanilla='tab:blue', hallucinet='tab:red',
                   hallucinet_unlabeled='tab:purple', ceiling='tab:gray')
    for ax, (col, res) in zip(axes[0], results.items()):
        for row in STUDENTS:
            for seed in seeds:
                steps, accs = zip(*res[seed][row]['val_curve'])
                ax.plot(steps, accs, color=colours[row], alpha=0.7,
                        label=LABELS[row] if seed == seeds[0] else None)
        ax.set(title=f'{col} data: validation top-1', xlabel='iteration',
               ylabel='top-1', ylim=(0, 1))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)


def table_of_results_file(path: str) -> str:
    """The table of a finished run, recomputed from its results.json."""
    with open(path) as f:
        saved = json.load(f)
    seeds = saved['args']['seeds']
    results = {
        col: {(int(k) if k.isdigit() else k): v
              for k, v in res.items()}
        for col, res in saved['results'].items()
    }
    return format_table(summarise(results, seeds), seeds)
