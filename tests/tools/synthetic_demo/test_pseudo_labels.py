"""The teacher-free baseline's pseudo-labels: the confident ones are kept."""
import numpy as np
import pytest

from tools.synthetic_demo.pseudo_labels import (pseudo_label_stats,
                                                select_confident)


def test_only_confident_predictions_are_kept_with_their_argmax():
    scores = np.array([[0.96, 0.02, 0.02], [0.5, 0.3, 0.2],
                       [0.01, 0.01, 0.98], [0.05, 0.95, 0.0]])
    kept = select_confident(['a', 'b', 'c', 'd'], scores, 0.95)
    assert kept == [('a', 0), ('c', 2), ('d', 1)]
    stats = pseudo_label_stats(kept, dict(a=0, b=0, c=1, d=1), 4, 0.95)
    assert stats['num_kept'] == 3 and stats['coverage'] == 0.75
    assert stats['kept_accuracy'] == pytest.approx(2 / 3)


def test_bad_threshold_or_shapes_are_refused():
    with pytest.raises(ValueError, match='threshold'):
        select_confident(['a'], np.ones((1, 2)) / 2, 0.0)
    with pytest.raises(ValueError, match='2 paths but 1 score rows'):
        select_confident(['a', 'b'], np.ones((1, 2)) / 2, 0.5)
    assert pseudo_label_stats([], {}, 5, 0.9)['kept_accuracy'] is None
