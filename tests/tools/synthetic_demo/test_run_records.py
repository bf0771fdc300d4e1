"""Tests for reading mmengine's metrics records."""
import json

import pytest

from tools.synthetic_demo.run_records import latest_test_metrics, read_json_records


def test_records_back_to_back_and_per_line(tmp_path):
    path = tmp_path / 'r.json'
    a, b, c = {'acc/top1': 0.5}, {'acc/top1': 0.75, 'x': [1, 2]}, {'k': 'v'}
    path.write_text(json.dumps(a) + json.dumps(b) + '\n' + json.dumps(c))
    assert read_json_records(str(path)) == [a, b, c]
    (tmp_path / 'empty.json').write_text('\n')
    assert read_json_records(str(tmp_path / 'empty.json')) == []


def test_latest_test_metrics(tmp_path):
    for stamp, value in (('20260101_000000', 0.1), ('20260101_000009', 0.9)):
        run = tmp_path / stamp
        run.mkdir()
        (run / f'{stamp}.json').write_text(json.dumps({'acc/top1': value}))
    assert latest_test_metrics(str(tmp_path)) == {'acc/top1': 0.9}
    with pytest.raises(FileNotFoundError, match='no metrics json'):
        latest_test_metrics(str(tmp_path / 'nothing'))
