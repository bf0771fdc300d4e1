"""A tiny mmengine Runner (dropout model, random pipeline) for hook tests."""
import uuid

import numpy as np
import torch
import torch.nn as nn
from mmengine.dataset import BaseDataset
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from mmengine.runner import Runner

import hallucinet_mm  # noqa: F401  (registers the hooks)


class NoisyVector:
    """A random transform: a sample's vector plus numpy noise."""

    def __call__(self, results):
        noise = np.random.normal(size=4).astype(np.float32)
        results['inputs'] = torch.from_numpy(results['vector'] + noise)
        return results


class ToyDataset(BaseDataset):
    """8 samples of a 4-d vector and a 0/1 target."""

    def __init__(self, **kwargs):
        super().__init__(pipeline=[NoisyVector()],
                         serialize_data=False,
                         **kwargs)

    def load_data_list(self):
        rng = np.random.default_rng(0)
        return [
            dict(vector=rng.normal(size=4).astype(np.float32),
                 target=float(i % 2)) for i in range(8)
        ]


class ToyModel(BaseModel):
    """Linear -> dropout -> linear; MSE loss."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5),
                                 nn.Linear(8, 1))

    def forward(self, inputs, target=None, mode='tensor'):
        out = self.net(torch.stack(inputs))[:, 0]
        if mode == 'loss':
            return dict(loss=((out - torch.as_tensor(target))**2).mean())
        return out


class QuietRunner(Runner):
    """A Runner that skips logging the environment (seconds per runner)."""

    def _log_env(self, env_cfg):
        pass


class ToyMetric(BaseMetric):
    """``score``: the mean prediction (changes every epoch)."""

    def process(self, data_batch, data_samples):
        self.results.append(float(torch.as_tensor(data_samples).mean()))

    def compute_metrics(self, results):
        return dict(score=sum(results) / len(results))


def collate(batch):
    return dict(inputs=[b['inputs'] for b in batch],
                target=[b['target'] for b in batch])


def toy_runner(work_dir,
               max_epochs=3,
               resume=False,
               custom_hooks=None,
               num_workers=1,
               model=None,
               validate=False,
               **checkpoint):
    """A Runner on the toy data: seed 0, one checkpoint per epoch.

    With ``validate``, the training data are validated after each epoch
    (``ToyMetric``).
    """
    if custom_hooks is None:
        custom_hooks = [dict(type='RNGStateHook')]
    torch.manual_seed(0)  # the model is built before the Runner seeds
    return QuietRunner(
        model=model or ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=dict(dataset=ToyDataset(),
                              sampler=dict(type='DefaultSampler',
                                           shuffle=True),
                              collate_fn=collate,
                              batch_size=2,
                              num_workers=num_workers,
                              persistent_workers=num_workers > 0),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(checkpoint=dict(type='AtomicCheckpointHook',
                                           interval=1,
                                           **checkpoint),
                           logger=dict(type='LoggerHook', interval=100)),
        custom_hooks=custom_hooks,
        randomness=dict(seed=0),
        resume=resume,
        **(dict(val_dataloader=dict(dataset=ToyDataset(),
                                    sampler=dict(type='DefaultSampler',
                                                 shuffle=False),
                                    collate_fn=collate,
                                    batch_size=4),
                val_cfg=dict(),
                val_evaluator=[ToyMetric()]) if validate else {}),
        # unique: runners of one second would share a visualizer
        experiment_name=uuid.uuid4().hex,
        default_scope='mmaction')


def weights(runner):
    return {k: v.clone() for k, v in runner.model.state_dict().items()}
