# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Train a model with MMEngine's Runner (MMAction2's flags).

Examples:
    python tools/train.py configs/hallucinet_vgg11_ucf.py
    tools/dist_train.sh configs/hallucinet_vgg11_ucf.py 8 --amp
"""
from mmengine.config import Config
from mmengine.runner import Runner

import hallucinet_mm  # noqa: F401  (registers components, applies compat)
from hallucinet_mm.compat import setup_cpu_distributed
from hallucinet_mm.engine.checkpoint_files import (check_resume_file,
                                                   find_resume_checkpoint)
from hallucinet_mm.engine.hook_args import check_hook_args
from hallucinet_mm.engine.teardown import release_run_resources
from hallucinet_mm.engine.tool_cfg import (add_reliability_hooks,
                                           merge_cfg_options,
                                           merge_launcher_and_work_dir,
                                           parse_runner_args, runner_parser)
from hallucinet_mm.engine.train_checks import (check_start_checkpoint,
                                               describe_failure)


def parse_args(argv=None):
    parser = runner_parser('Train a recognizer', 'train config file path',
                           work_dir_help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or, with no value, from the '
        'checkpoint named by WORK_DIR/last_checkpoint (an error if there is '
        'none)')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic-mixed-precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the actual batch size over '
        '`auto_scale_lr.base_batch_size`')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument(
        '--diff-rank-seed',
        action='store_true',
        help='set a different seed on each rank')
    parser.add_argument(
        '--deterministic',
        action='store_true',
        help='set deterministic options for cuDNN')
    return parse_runner_args(parser, argv)


def _amp_device_available() -> bool:
    """Whether mmengine's AmpOptimWrapper may be built (it asserts this)."""
    from mmengine import device
    return any(
        getattr(device, f'is_{name}_available', lambda: False)()
        for name in ('cuda', 'npu', 'mlu', 'musa'))


def merge_args(cfg, args):
    """Merges the command-line arguments into the config."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    # work_dir: command line > config > ./work_dirs/<config name>
    merge_launcher_and_work_dir(cfg, args)

    if args.amp:
        if not _amp_device_available():
            raise ValueError(
                '--amp needs a CUDA (or NPU/MLU/MUSA) device: mmengine\'s '
                'AmpOptimWrapper does not train on the CPU. Drop --amp on '
                'this host.')
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(
                f'--amp needs optim_wrapper.type OptimWrapper, got '
                f'{optim_wrapper}')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in \
                cfg.auto_scale_lr:
            raise KeyError('--auto-scale-lr needs `auto_scale_lr.'
                           'base_batch_size` in the config')
        cfg.auto_scale_lr.enable = True

    if args.seed is not None or args.diff_rank_seed or args.deterministic:
        randomness = cfg.get('randomness', dict())
        if args.seed is not None:
            randomness['seed'] = args.seed
        randomness['diff_rank_seed'] = args.diff_rank_seed
        randomness['deterministic'] = args.deterministic
        cfg.randomness = randomness

    merge_cfg_options(cfg, args)
    # MMEngine would start from scratch, silently, when the work dir holds
    # no checkpoint, and cannot follow a moved work dir: resolve here.
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = find_resume_checkpoint(cfg.work_dir)
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = check_resume_file(args.resume)
    for change in add_reliability_hooks(cfg):
        print(f'{args.config}: {change}')
    check_hook_args(cfg, args.config)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    setup_cpu_distributed(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    # Before the optimizer is built: MMEngine loads load_from non-strictly
    # and fails a mismatched resume inside the optimizer.
    check_start_checkpoint(runner, cfg, args.config)
    try:
        runner.train()
    except BaseException:
        runner.logger.error(describe_failure(runner, args.config))
        raise
    del runner
    release_run_resources()


if __name__ == '__main__':
    main()
