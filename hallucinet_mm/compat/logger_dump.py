# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Test metrics JSON written by one rank (for ``mmengine==0.10.x``).

mmengine 0.10.x's ``LoggerHook.after_test_epoch`` writes the test metrics
JSON (``<log_dir>/<timestamp>.json``) from EVERY rank to the same path. Two
ranks truncating and writing records of different lengths leave a damaged
file (a stray ``}``). :func:`write_test_metrics_once` makes only the main
process write it; where upstream already writes from one rank it changes
nothing.
"""


def _dump_on_main_process(dump):
    """``dump`` that writes files only on the main process (rank 0)."""
    from mmengine import dist

    def dump_on_main_process(obj, file=None, *args, **kwargs):
        if file is not None and not dist.is_main_process():
            return None
        return dump(obj, file, *args, **kwargs)

    dump_on_main_process.writes_on_main_process_only = True
    return dump_on_main_process


def write_test_metrics_once() -> bool:
    """Lets only rank 0 write the test metrics JSON of ``LoggerHook``.

    ``mmengine.hooks.logger_hook`` calls ``dump`` once, for that JSON; its
    ``dump`` is wrapped so that other ranks skip the write (they still log).

    Returns:
        bool: True if the wrapper was installed by this call.
    """
    from mmengine.hooks import logger_hook
    if getattr(logger_hook.dump, 'writes_on_main_process_only', False):
        return False
    logger_hook.dump = _dump_on_main_process(logger_hook.dump)
    return True
