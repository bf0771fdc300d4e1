"""Random data choices are a function of (seed, epoch, sample index)."""
import copy
import pickle
import random

import numpy as np
import torch
from mmengine.dataset import (BaseDataset, ConcatDataset, DefaultSampler,
                              RepeatDataset)

from hallucinet_mm.datasets.sample_seeding import (EpochTaggedSampler,
                                                   SampleIndex, SeededCompose,
                                                   TagKeepingConcatDataset,
                                                   keep_tags, sample_rng)
from hallucinet_mm.datasets.transforms import (DiveFrameSampler,
                                               PairFrameSampler,
                                               SingleFrameSampler)

SAMPLERS = [
    SingleFrameSampler(mode='random'),
    PairFrameSampler(mode='random', pair_offset=3),
    DiveFrameSampler(num_steps=3, step=4, window_len=20, jitter=3),
]


def _anchors(sampler, index):
    results = dict(total_frames=60,
                   end_frame=40,
                   filename='v.mp4',
                   sample_idx=index)
    return sampler(results)['anchor_inds'].tolist()


def test_sample_index_is_an_int_that_survives_workers_and_copies():
    index = SampleIndex(5, seed=7, epoch=2)
    assert index == 5 and str(index) == '5' and [10, 11, 12, 13, 14, 15
                                                 ][index] == 15
    for copied in (pickle.loads(pickle.dumps(index)), copy.deepcopy(index)):
        assert isinstance(copied, SampleIndex)
        assert (int(copied), copied.seed, copied.epoch) == (5, 7, 2)


def test_frame_choice_depends_only_on_seed_epoch_and_index():
    for sampler in SAMPLERS:
        draws = [
            _anchors(sampler, SampleIndex(i, 0, e)) for e in range(4)
            for i in range(6)
        ]
        np.random.seed(123)  # the global state plays no part
        again = [
            _anchors(sampler, SampleIndex(i, 0, e)) for e in range(4)
            for i in range(6)
        ]
        assert draws == again, sampler
        assert len({tuple(d) for d in draws}) > 3, sampler  # still random
        other_seed = [
            _anchors(sampler, SampleIndex(i, 1, e)) for e in range(4)
            for i in range(6)
        ]
        assert other_seed != draws, sampler


def test_untagged_indices_keep_the_global_generator():
    np.random.seed(0)
    first = [_anchors(SAMPLERS[0], 3) for _ in range(5)]
    np.random.seed(0)
    assert [_anchors(SAMPLERS[0], 3) for _ in range(5)] == first
    assert sample_rng({}).integers(10**9) != sample_rng({}).integers(10**9)


def test_seeded_compose_seeds_per_sample_and_restores_the_caller():

    def draw(results):
        results['draw'] = (np.random.rand(), random.random(),
                           torch.rand(1).item())
        return results

    pipeline = SeededCompose([draw])
    torch.manual_seed(0)
    expected_next = torch.rand(1)
    torch.manual_seed(0)
    a = pipeline(dict(sample_idx=SampleIndex(3, 0, 1)))['draw']
    assert torch.equal(torch.rand(1), expected_next)  # caller untouched
    assert pipeline(dict(sample_idx=SampleIndex(3, 0, 1)))['draw'] == a
    assert pipeline(dict(sample_idx=SampleIndex(3, 0, 2)))['draw'] != a
    assert pipeline(dict(sample_idx=4))['draw'] != a  # untagged: global


def test_epoch_tagged_sampler_tags_the_sampler_epoch():
    dataset = list(range(6))
    sampler = EpochTaggedSampler(DefaultSampler(dataset, seed=3), seed=9)
    sampler.set_epoch(4)
    tagged = list(sampler)
    assert len(sampler) == 6 and sorted(tagged) == dataset
    assert {(i.seed, i.epoch) for i in tagged} == {(9, 4)}


class _Indexed(BaseDataset):
    """Returns the ``sample_idx`` a transform would see."""

    def __init__(self, size):
        self.size = size
        super().__init__(serialize_data=False)

    def load_data_list(self):
        return [dict(i=i) for i in range(self.size)]

    def __getitem__(self, idx):
        return self.get_data_info(idx)['sample_idx']


def test_dataset_wrappers_pass_the_tag_on_keyed_by_the_outer_index():
    concat = ConcatDataset([_Indexed(2), _Indexed(3)])
    repeat = RepeatDataset(_Indexed(2), times=3)
    assert keep_tags(concat) and keep_tags(repeat)
    assert not keep_tags(_Indexed(1))
    inner = concat[SampleIndex(3, seed=5, epoch=1)]
    assert isinstance(inner, SampleIndex)
    assert (int(inner), inner.seed, inner.epoch, inner.key) == (1, 5, 1, 3)
    again = repeat[SampleIndex(5, seed=5, epoch=1)]
    assert (int(again), again.key) == (1, 5)
    assert isinstance(pickle.loads(pickle.dumps(concat)),
                      TagKeepingConcatDataset)
