"""How far a killed-and-resumed run drifts with parts of RNGStateHook off.

Not a test (it takes minutes): the measurement behind the README's table.
For each variant, the kill -9 / ``--resume`` scenario of
test_resume_synthetic.py (2 epochs, tiny synthetic data) runs with
``tools/train.py`` under that variant, and the largest absolute difference
of any final weight from the uninterrupted run's is printed as JSON::

    .venv/bin/python tests/reliability/resume_sensitivity.py WORK_DIR \
        off no_data_seeding no_state_restore on

Variants: ``off`` (the hook does nothing: MMEngine's behaviour),
``no_data_seeding`` (no per-sample seeding), ``no_state_restore`` (the
random state is saved but not restored), ``on``.
"""
import json
import os
import os.path as osp
import runpy
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
VARIANTS = ('off', 'no_data_seeding', 'no_state_restore', 'on')


def train_variant(variant, argv):
    """Runs tools/train.py with the hook cut down to ``variant``."""
    from hallucinet_mm.engine.hooks import rng_state_hook as hook
    if variant == 'off':
        for name in ('before_save_checkpoint', 'after_load_checkpoint',
                     'before_train'):
            setattr(hook.RNGStateHook, name, lambda self, *a, **k: None)
    elif variant == 'no_data_seeding':
        hook.RNGStateHook._seed_data = staticmethod(lambda runner, seed: None)
    elif variant == 'no_state_restore':
        hook.restore_rng_state = lambda state: None
    sys.argv = [osp.join(ROOT, 'tools/train.py')] + argv
    runpy.run_path(sys.argv[0], run_name='__main__')


def max_difference(a, b):
    from hallucinet_mm.compat import safe_torch_load
    a, b = (safe_torch_load(p)['state_dict'] for p in (a, b))
    return max(float((a[k].double() - b[k].double()).abs().max()) for k in a)


def main(work_dir, variants):
    from tests.reliability import training_runs as runs
    from tools.data.make_synthetic_videos import make_synthetic_dataset
    videos = make_synthetic_dataset(osp.join(work_dir, 'data'),
                                    videos_per_class_train=4,
                                    videos_per_class_val=2,
                                    num_frames=24,
                                    seed=0)
    teacher = runs.save_teacher(osp.join(work_dir, 'teacher.pth'))
    plain_cmd = runs.train_cmd
    results = {}
    for variant in variants:
        assert variant in VARIANTS, variant

        def cmd(*args, variant=variant, **kwargs):
            cmd = plain_cmd(*args, **kwargs)  # [python, tools/train.py, ...]
            return [cmd[0], __file__, '--train-variant', variant] + cmd[2:]

        runs.train_cmd = cmd
        full = osp.join(work_dir, variant, 'uninterrupted')
        killed = osp.join(work_dir, variant, 'killed')
        runs.train(videos, teacher, full, 2)
        runs.train_until(r'Epoch\(train\)\s+\[2\]\[1/2\]', videos, teacher,
                         killed, 2)
        runs.train(videos, teacher, killed, 2, resume=True)
        results[variant] = max_difference(osp.join(full, 'epoch_2.pth'),
                                          osp.join(killed, 'epoch_2.pth'))
        print(json.dumps({variant: results[variant]}), flush=True)
    print(json.dumps(results, indent=1))


if __name__ == '__main__':
    sys.path.insert(0, ROOT)
    if sys.argv[1] == '--train-variant':
        train_variant(sys.argv[2], sys.argv[3:])
    else:
        os.makedirs(sys.argv[1], exist_ok=True)
        main(sys.argv[1], sys.argv[2:] or VARIANTS)
