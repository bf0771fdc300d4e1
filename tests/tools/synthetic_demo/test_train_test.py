"""train_test.py tests the checkpoint its training left, with the same
options."""
import pytest

from tools.synthetic_demo.train_test import parse_args, argv_of_test


def test_test_arguments_repeat_the_training_options(tmp_path):
    (tmp_path / 'best_acc_top1_iter_4.pth').write_text('x')
    args = parse_args(['--checkpoint', 'best_*.pth', '--', 'cfg.py',
                       '--work-dir', str(tmp_path), '--seed', '3',
                       '--cfg-options', 'a.b=[1, 2]', 'c=x'])
    assert argv_of_test(args.train_args, args.checkpoint) == [
        'cfg.py', str(tmp_path / 'best_acc_top1_iter_4.pth'), '--work-dir',
        str(tmp_path), '--cfg-options', 'a.b=[1, 2]', 'c=x'
    ]


def test_a_missing_or_ambiguous_checkpoint_is_named(tmp_path):
    argv = ['cfg.py', '--work-dir', str(tmp_path)]
    with pytest.raises(FileNotFoundError, match=r'expected one best_\*.pth'):
        argv_of_test(argv, 'best_*.pth')
    (tmp_path / 'best_1.pth').write_text('x')
    (tmp_path / 'best_2.pth').write_text('x')
    with pytest.raises(FileNotFoundError, match='found'):
        argv_of_test(argv, 'best_*.pth')
