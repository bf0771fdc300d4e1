# Copyright (c) hallucinet_mm contributors. All rights reserved.
import pytest

from hallucinet_mm.evaluation.metrics.hallu_sample_metric import \
    HalluSampleMetric


class _Collecting(HalluSampleMetric):
    sample_keys = ('hallu_pred', 'hallu_target')

    def collect(self, sample):
        self.results.append(sample['hallu_pred'] - sample['hallu_target'])

    def compute_metrics(self, results):
        return dict(total=sum(results))


def test_the_base_alone_cannot_be_built():
    with pytest.raises(TypeError, match='collect'):
        HalluSampleMetric()


def test_checked_samples_are_collected_in_order():
    metric = _Collecting()
    metric.process(None, [dict(hallu_pred=3.0, hallu_target=1.0),
                          dict(hallu_pred=0.5, hallu_target=2.0)])
    assert metric.results == [2.0, -1.5]
    assert metric.compute_metrics(metric.results) == dict(total=0.5)
    assert metric.default_prefix == 'hallu'


def test_a_sample_without_a_key_is_refused_naming_the_keys():
    metric = _Collecting()
    with pytest.raises(KeyError, match='hallu_pred and hallu_target'):
        metric.process(None, [dict(hallu_pred=1.0)])
    assert metric.results == []
