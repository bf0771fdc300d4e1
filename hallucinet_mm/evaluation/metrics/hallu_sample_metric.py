# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The base of the metrics that read the hallucination of each sample."""
from abc import abstractmethod
from typing import Dict, Optional, Sequence

from mmengine.evaluator import BaseMetric


class HalluSampleMetric(BaseMetric):
    """A metric over per-sample hallucination outputs (prefix ``hallu``).

    ``HalluciNetRecognizer.predict`` stores them on the data samples only
    when the test pipeline carries teacher inputs; :meth:`process` refuses a
    sample that lacks one of :attr:`sample_keys`, naming them, and hands
    each sample to :meth:`collect`.

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to None.
    """
    default_prefix = 'hallu'
    #: The data-sample keys each sample must carry.
    sample_keys: Sequence[str] = ()

    def __init__(self,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        """Checks and collects the samples of one batch."""
        for sample in data_samples:
            if any(key not in sample for key in self.sample_keys):
                raise KeyError(
                    f'{type(self).__name__} needs '
                    f'{" and ".join(self.sample_keys)} on the data samples: '
                    'the test pipeline must carry teacher clips (sampler '
                    'with_teacher=True) or teacher features')
            self.collect(sample)

    @abstractmethod
    def collect(self, sample: Dict) -> None:
        """Appends what the metric needs of one checked sample to
        ``self.results``."""
