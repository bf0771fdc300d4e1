# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The synthetic main job's report: the table, paired differences, curves.

``tools/run_synthetic_demo.py`` trains and tests the runs; this module turns
their results (``results.json``'s ``results``: ``teacher``, and per column
``probe`` and seed -> row -> ``test_acc``, ``val_r2``, ``val_curve``,
``pseudo_labels``) into the table.
"""
import json

import numpy as np

#: The student rows of each data column, in the table's order.
ROWS = dict(
    cue=('vanilla', 'hallucinet', 'hallucinet_unlabeled', 'pseudo_label',
         'ceiling'),
    null=('vanilla', 'hallucinet', 'hallucinet_unlabeled'))
STUDENTS = ROWS['cue']
LABELS = dict(
    teacher="teacher (3D, 16 frames; its own domain's test split)",
    probe="linear probe of the teacher's features (labeled set)",
    vanilla='vanilla 2D (labeled set)',
    hallucinet='HalluciNet (labeled set; paper)',
    hallucinet_unlabeled='HalluciNet + unlabeled set',
    pseudo_label='pseudo-labels, no teacher (labeled + unlabeled set)',
    ceiling='cue-only ceiling (labels on the whole pool)')
#: The paired differences the table reports: (row, against).
PAIRS = (('hallucinet', 'vanilla'), ('hallucinet_unlabeled', 'vanilla'),
         ('hallucinet_unlabeled', 'pseudo_label'))


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
    """Table cells (mean +- std) and per-seed paired differences.

    Args:
        results (dict): ``teacher`` (its ``test_acc``) and, per data column,
            ``probe`` (seed -> accuracy) and seed -> row -> result.
        seeds (list[int]): The seeds.

    Returns:
        dict: column -> cell name -> text; a row a column lacks is ``-``.
    """
    table = {}
    for col, res in results.items():
        if col == 'teacher':
            continue
        rows = [r for r in STUDENTS if r in res[seeds[0]]]
        cells = {'teacher': f'{results["teacher"]["test_acc"]:.3f}'}
        if 'probe' in res:
            cells['probe'] = mean_std([res['probe'][s] for s in seeds])
        for row in rows:
            cells[row] = mean_std([res[s][row]['test_acc'] for s in seeds])
        for row, base in PAIRS:
            if row not in rows or base not in rows:
                continue
            diffs = [
                res[s][row]['test_acc'] - res[s][base]['test_acc']
                for s in seeds
            ]
            cells[f'{row} - {base}'] = (
                f'{mean_std(diffs)} [' +
                ', '.join(f'{d:+.3f}' for d in diffs) + ']')
            cells[f'{row} - {base} 95% CI'] = paired_interval(diffs)
        for row in ('hallucinet', 'hallucinet_unlabeled'):
            if row in rows:
                cells[f'{row} val R^2'] = mean_std(
                    [res[s][row]['val_r2'] for s in seeds])
        if 'pseudo_label' in rows:
            stats = [res[s]['pseudo_label']['pseudo_labels'] for s in seeds]
            cells['pseudo coverage'] = mean_std(
                [p['coverage'] for p in stats])
            cells['pseudo accuracy'] = mean_std(
                [p['kept_accuracy'] for p in stats])
        table[col] = cells
    return table


def table_rows() -> list:
    """(cell name, label) of every table row, in order."""
    names = [(k, LABELS[k]) for k in ('teacher', 'probe', *STUDENTS)]
    for row, base in PAIRS:
        names += [(f'{row} - {base}', f'  {LABELS[row]} - {base}'),
                  (f'{row} - {base} 95% CI', '    95% t-interval of the mean')]
    for row in ('hallucinet', 'hallucinet_unlabeled'):
        names.append((f'{row} val R^2', f'  {LABELS[row]}: val R^2'))
    return names + [
        ('pseudo coverage', '  pseudo-labels: share of the unlabeled set kept'),
        ('pseudo accuracy', '  pseudo-labels: accuracy of those kept')]


def format_table(table: dict, seeds: list) -> str:
    """The cells of :func:`summarise` as a plain-text table, one column each."""
    names = table_rows()
    cols = list(table)
    width = max(len(label) for _, label in names)
    cell = max(len(v) for c in cols for v in table[c].values())
    lines = [
        f'Test top-1, mean +- std over seeds {seeds} (paired differences '
        'per seed in brackets); chance 0.167 for the students, 0.100 for the '
        'teacher',
        f'{"":<{width}}  ' + '  '.join(f'{c:<{cell}}' for c in cols)
    ]
    lines += [
        f'{label:<{width}}  ' + '  '.join(
            f'{table[c].get(key, "-"):<{cell}}' for c in cols)
        for key, label in names
    ]
    return '\n'.join(lines)


def plot_curves(results: dict, seeds: list, out_file: str) -> None:
    """Validation top-1 against iteration, every row and seed, per column."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    colours = dict(vanilla='tab:blue', hallucinet='tab:red',
                   hallucinet_unlabeled='tab:purple',
                   pseudo_label='tab:green', ceiling='tab:gray')
    columns = {c: r for c, r in results.items() if c != 'teacher'}
    fig, axes = plt.subplots(1, len(columns), figsize=(7 * len(columns), 4),
                             squeeze=False)
    for ax, (col, res) in zip(axes[0], columns.items()):
        for row in [r for r in STUDENTS if r in res[seeds[0]]]:
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
    results = {}
    for col, res in saved['results'].items():
        if col != 'teacher':
            res = {(int(k) if k.isdigit() else k): v for k, v in res.items()}
            if 'probe' in res:
                res['probe'] = {int(k): v for k, v in res['probe'].items()}
        results[col] = res
    return format_table(summarise(results, seeds), seeds)
