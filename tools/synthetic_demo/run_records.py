# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Reading the metrics mmengine writes for a test run."""
import glob
import json
import os.path as osp
from typing import Dict, List


def read_json_records(path: str) -> List[Dict]:
    """All JSON objects in a file, one per line or written back to back.

    mmengine appends ``json.dumps(record)`` without always ending the line,
    so two runs that share a log directory (the same second) leave
    ``{...}{...}`` on one line.
    """
    decoder = json.JSONDecoder()
    with open(path) as f:
        text = f.read()
    records, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return records
        record, pos = decoder.raw_decode(text, pos)
        records.append(record)


def latest_test_metrics(work_dir: str) -> Dict:
    """The last metrics record of the newest run in ``work_dir``.

    mmengine writes ``<work_dir>/<timestamp>/<timestamp>.json``.

    Raises:
        FileNotFoundError: If no run wrote metrics there.
    """
    files = sorted(glob.glob(osp.join(work_dir, '2*', '2*.json')))
    if not files:
        raise FileNotFoundError(f'no metrics json under {work_dir}/<run>/')
    records = read_json_records(files[-1])
    if not records:
        raise ValueError(f'{files[-1]} holds no metrics record')
    return records[-1]
