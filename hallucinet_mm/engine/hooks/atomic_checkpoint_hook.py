# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""MMEngine's CheckpointHook with atomic writes and a relative record."""
import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook

from mmaction.registry import HOOKS
from ..checkpoint_files import (LAST_CHECKPOINT, commit_file,
                                find_resume_checkpoint, tmp_name,
                                write_last_checkpoint)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose checkpoints are never left half written.

    Differences from MMEngine 0.10's hook (same arguments):

    - a checkpoint is written as ``.NAME.tmp``, flushed, then renamed to
      ``NAME``: a full disk or a kill leaves the previous checkpoints and at
      most a stray ``.tmp`` file (removed when training starts again),
      never a truncated ``epoch_N.pth``;
    - with ``max_keep_ckpts``, the oldest checkpoint is deleted only after
      the new one is complete (MMEngine deletes it first);
    - ``WORK_DIR/last_checkpoint`` is written atomically and relative to
      the work dir, so a moved work dir resumes: ``resume=True`` without
      ``load_from`` resolves it before MMEngine reads it (``before_run``),
      as ``tools/train.py --resume`` does.

    Only local directories get the atomic rename; other storage backends
    fall back to MMEngine's behaviour.
    """

    def before_run(self, runner) -> None:
        """Resolves a relative (or moved) ``last_checkpoint`` to resume."""
        if runner._resume and runner._load_from is None and osp.isfile(
                osp.join(runner.work_dir, LAST_CHECKPOINT)):
            runner._load_from = find_resume_checkpoint(runner.work_dir)

    def before_train(self, runner) -> None:
        """MMEngine's set-up, then removes what a killed write left."""
        super().before_train(runner)
        if not (self._atomic() and is_main_process()
                and osp.isdir(self.out_dir)):
            return
        for name in sorted(os.listdir(self.out_dir)):
            if name.startswith('.') and name.endswith('.tmp'):
                os.remove(osp.join(self.out_dir, name))
                runner.logger.warning(
                    f'removed {osp.join(self.out_dir, name)}, a checkpoint '
                    'write that was interrupted (the checkpoints are intact)')

    def _atomic(self) -> bool:
        return isinstance(self.file_backend, LocalBackend)

    def _save_to(self, runner, save, out_dir: str, filename: str, *args,
                 **kwargs) -> None:
        """Calls ``save`` (the runner's) for a tmp name, then renames."""
        if not self._atomic():
            save(out_dir, filename, *args, **kwargs)
            return
        tmp = osp.join(out_dir, tmp_name(filename))
        try:
            save(out_dir, tmp_name(filename), *args, **kwargs)
            if is_main_process():
                commit_file(tmp, osp.join(out_dir, filename))
        except BaseException:
            if osp.exists(tmp):
                os.remove(tmp)
            raise

    def _remember(self, runner, step: int):
        """Records ``step`` as kept; returns the step to delete, or None."""
        if self.max_keep_ckpts <= 0 or (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
            return None
        dropped = None
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            dropped = self.keep_ckpt_ids.popleft()
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids',
                                       list(self.keep_ckpt_ids))
        return dropped

    def _remove(self, step: int) -> None:
        path = self.file_backend.join_path(self.out_dir,
                                           self.filename_tmpl.format(step))
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):  # DeepSpeed checkpoints
            self.file_backend.rmtree(path)

    def _save_checkpoint_with_step(self, runner, step, meta):
        filename = self.filename_tmpl.format(step)
        dropped = self._remember(runner, step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        self._save_to(runner,
                      runner.save_checkpoint,
                      self.out_dir,
                      filename,
                      self.file_client_args,
                      save_optimizer=self.save_optimizer,
                      save_param_scheduler=self.save_param_scheduler,
                      meta=meta,
                      by_epoch=self.by_epoch,
                      backend_args=self.backend_args,
                      **self.args)
        if not is_main_process():
            return
        if self._atomic():
            write_last_checkpoint(runner.work_dir, self.last_ckpt)
        else:
            with open(osp.join(runner.work_dir, LAST_CHECKPOINT), 'w') as f:
                f.write(self.last_ckpt)
        if dropped is not None:
            self._remove(dropped)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        # MMEngine's logic (rules, best-score bookkeeping) with the
        # runner's save routed through the tmp-then-rename write.
        save = runner.save_checkpoint
        runner.save_checkpoint = lambda out_dir, filename, *args, **kwargs: \
            self._save_to(runner, save, out_dir, filename, *args, **kwargs)
        try:
            super()._save_best_checkpoint(runner, metrics)
        finally:
            del runner.save_checkpoint
