# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Helpers of the benchmarks in ``tools/analysis/``: the record of a run
(command, environment, device, load), timing statistics, peak memory, text
tables and the JSON report."""
import datetime
import json
import os
import os.path as osp
import platform
import shlex
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.utils.dl_utils import collect_env


def cpu_name() -> str:
    """The CPU model (``/proc/cpuinfo``), or what ``platform`` knows."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> Optional[List[float]]:
    """The 1, 5 and 15 minute load averages (None where unknown)."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def run_metadata(script: str, argv: Sequence[str],
                 device: str) -> Dict[str, object]:
    """What a report records about its run.

    Args:
        script (str): The benchmark's ``__file__``.
        argv (Sequence[str]): Its arguments (without the program).
        device (str): ``'cpu'`` or ``'cuda[:i]'``.

    Returns:
        dict: ``command``, ``date``, ``device``, ``device_name``, ``cpu``,
        ``cpu_count``, ``threads``, ``load_average_at_start`` and ``env``
        (``mmengine.utils.dl_utils.collect_env``, as text).
    """
    command = shlex.join(['python', osp.relpath(script)] + list(argv))
    return dict(
        command=command,
        date=datetime.datetime.now().astimezone().isoformat(
            timespec='seconds'),
        device=device,
        device_name=(torch.cuda.get_device_name(torch.device(device))
                     if device.startswith('cuda') else cpu_name()),
        cpu=cpu_name(),
        cpu_count=os.cpu_count(),
        threads=torch.get_num_threads(),
        omp_num_threads_env=os.environ.get('OMP_NUM_THREADS'),
        load_average_at_start=load_average(),
        env={k: str(v) for k, v in collect_env().items()})


class MemoryProbe:
    """Peak memory between :meth:`start` and :meth:`stop`, approximate.

    CPU (Linux): the peak resident set size (``VmHWM``, reset to the
    current size through ``/proc/self/clear_refs`` at :meth:`start`) over
    the resident size at :meth:`start`; allocator caches and library
    workspaces count. CUDA: ``torch.cuda.max_memory_allocated``.

    Args:
        device (str): ``'cpu'`` or ``'cuda[:i]'``.
    """

    def __init__(self, device: str) -> None:
        self.cuda = device.startswith('cuda')
        self.before = 0

    @staticmethod
    def _vm_bytes(field: str) -> int:
        with open('/proc/self/status') as f:
            line = next(ln for ln in f if ln.startswith(field + ':'))
        return int(line.split()[1]) * 1024

    def start(self) -> None:
        """Records the baseline and resets the peak."""
        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.before = torch.cuda.memory_allocated()
            return
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')  # VmHWM := VmRSS (Linux >= 4.0)
        self.before = self._vm_bytes('VmRSS')

    def stop(self) -> Dict[str, object]:
        """``method``, ``peak_mib``, ``increase_mib`` and ``before_mib``."""
        if self.cuda:
            torch.cuda.synchronize()
            peak = torch.cuda.max_memory_allocated()
        else:
            peak = self._vm_bytes('VmHWM')
        mib = 2.0**20
        return dict(
            method='torch.cuda.max_memory_allocated' if self.cuda else
            'VmHWM reset at the start (approximate)',
            peak_mib=peak / mib, before_mib=self.before / mib,
            increase_mib=max(0, peak - self.before) / mib)


def summarize_times(seconds: Sequence[float]) -> Dict[str, float]:
    """Median, p90, mean, min and max of timings, in milliseconds.

    Args:
        seconds (Sequence[float]): Seconds per call.

    Returns:
        dict: ``median_ms``, ``p90_ms``, ``mean_ms``, ``min_ms``,
        ``max_ms``, ``total_s`` and ``repeats``.

    Raises:
        ValueError: If there are no timings.
    """
    if len(seconds) == 0:
        raise ValueError('no timings to summarize')
    ms = np.asarray(seconds, dtype=np.float64) * 1e3
    return dict(
        median_ms=float(np.median(ms)),
        p90_ms=float(np.percentile(ms, 90)),
        mean_ms=float(ms.mean()),
        min_ms=float(ms.min()),
        max_ms=float(ms.max()),
        total_s=float(ms.sum() / 1e3),
        repeats=int(ms.size))


def synchronize(device: str) -> None:
    """Waits for the device's queued work (CUDA); a no-op on the CPU."""
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize()


def format_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A text table: the first column left-aligned, the others right.

    Args:
        header (Sequence[str]): Column titles.
        rows (Sequence[Sequence]): Cells, already formatted (``str()`` is
            applied).

    Returns:
        str: The table, with a rule under the header.
    """
    cells = [list(map(str, header))] + [list(map(str, r)) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(row):
        return '  '.join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    rule = '-' * len(line(cells[0]))
    return '\n'.join([line(cells[0]), rule] + [line(r) for r in cells[1:]])


def finish_report(report: Dict, path: str) -> None:
    """Records the final load average and writes the report as JSON.

    Args:
        report (dict): The report; its ``meta`` gets
            ``load_average_at_end``.
        path (str): The JSON file (parent folders are created).
    """
    report['meta']['load_average_at_end'] = load_average()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(report, f, indent=1, default=str)
        f.write('\n')
    print(f'wrote {path}', flush=True)

