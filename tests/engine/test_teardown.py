"""Teardown: loader workers stop at once, before the Runner is collected."""
import gc

from torch.utils.data import DataLoader

from hallucinet_mm.engine.teardown import (release_run_resources,
                                           shutdown_dataloader_workers)


class _Cycle:
    """Holds a loader in a reference cycle, as the Runner's loops do."""

    def __init__(self, loader):
        self.loader, self.me = loader, self


def _started_loader_in_cycle(persistent):
    loader = DataLoader(list(range(12)), batch_size=4, num_workers=1,
                        persistent_workers=persistent)
    iterator = iter(loader)
    next(iterator)  # a worker runs; the iterator is half consumed
    return _Cycle(loader), iterator


def test_workers_of_an_unfinished_persistent_loader_are_stopped():
    held, iterator = _started_loader_in_cycle(persistent=True)
    workers = list(iterator._workers)
    assert all(w.is_alive() for w in workers)
    gc.disable()  # the collection must not run first
    try:
        assert shutdown_dataloader_workers() >= 1
    finally:
        gc.enable()
    assert iterator._shutdown
    assert not any(w.is_alive() for w in workers)
    assert [w.exitcode for w in workers] == [0]  # exited, not killed
    # A second call finds nothing left to stop.
    assert shutdown_dataloader_workers() == 0
    del held, iterator


def test_release_run_resources_stops_workers_and_collects():
    held, iterator = _started_loader_in_cycle(persistent=False)
    workers = list(iterator._workers)
    del held
    release_run_resources()
    assert not any(w.is_alive() for w in workers)
    del iterator
