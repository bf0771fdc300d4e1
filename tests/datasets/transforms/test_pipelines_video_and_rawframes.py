"""The samplers with real decoders: decord videos and RawframeDataset."""
import numpy as np
from mmengine.registry import init_default_scope

import hallucinet_mm  # noqa: F401
from mmaction.registry import DATASETS

SPLIT = dict(
    type='SplitStudentTeacher',
    student_pipeline=[dict(type='Resize', scale=(24, 24), keep_ratio=False)],
    teacher_pipeline=[dict(type='CenterCrop', crop_size=16)])
PACK = dict(type='PackActionInputs', collect_keys=('imgs', 'teacher_imgs'))


def _build(ds_cfg):
    init_default_scope('mmaction')
    return DATASETS.build(ds_cfg)


def _rawframes(videos, split, pipeline):
    """The rawframes of the synthetic videos' `split` list."""
    return _build(
        dict(
            type='CheckedRawframeDataset',
            ann_file=videos[f'{split}_rawframes_ann'],
            data_prefix=dict(img=videos['rawframe_dir']),
            filename_tmpl='img_{:05}.jpg',
            start_index=1,
            pipeline=pipeline))


def test_video_and_rawframes_give_the_same_frames(synthetic_videos):
    videos = _build(
        dict(
            type='CheckedVideoDataset',
            ann_file=synthetic_videos['train_ann'],
            data_prefix=dict(video=synthetic_videos['video_dir']),
            pipeline=[
                dict(type='CheckedDecordInit'),
                dict(type='SingleFrameSampler', test_mode=True),
                dict(type='DecordDecode'), SPLIT,
                dict(type='FormatShape', input_format='NCHW'), PACK
            ]))
    frames = _rawframes(synthetic_videos, 'train', [
        dict(type='SingleFrameSampler', test_mode=True),
        dict(type='RawFrameDecode'), SPLIT,
        dict(type='FormatShape', input_format='NCHW'), PACK
    ])
    assert len(videos) == len(frames)
    a, b = videos[0]['inputs'], frames[0]['inputs']
    assert a['imgs'].shape == b['imgs'].shape == (1, 3, 24, 24)
    assert a['teacher_imgs'].shape == b['teacher_imgs'].shape == (1, 3, 16,
                                                                  16, 16)
    # Same content up to codec loss (mp4v vs JPEG of the rendered frames):
    # the two decoders saw the same frame indices.
    for key in ('imgs', 'teacher_imgs'):
        diff = (a[key].float() - b[key].float()).abs().mean()
        assert diff < 12, (key, float(diff))
    # ... and a wrong offset would be far off (frames move).
    shifted = (a['teacher_imgs'][:, :, 1:].float() -
               b['teacher_imgs'][:, :, :-1].float()).abs().mean()
    assert shifted > (a['teacher_imgs'].float() -
                      b['teacher_imgs'].float()).abs().mean()


def test_rawframes_student_only(synthetic_videos):
    frames = _rawframes(synthetic_videos, 'val', [
        dict(type='SingleFrameSampler', with_teacher=False, test_mode=True),
        dict(type='RawFrameDecode'), SPLIT,
        dict(type='FormatShape', input_format='NCHW'),
        dict(type='PackActionInputs', collect_keys=('imgs', ))
    ])
    sample = frames[0]
    assert set(sample['inputs']) == {'imgs'}
    assert np.array_equal(
        frames.get_data_info(0)['total_frames'], 24)
