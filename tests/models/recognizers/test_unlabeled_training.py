"""Semi-supervised HalluciNet: unlabeled samples train L_hallu only."""
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper

from hallucinet_mm.utils.unlabeled import UNLABELED
from tests.models.conftest import tiny_batch as _batch


def test_masked_loss_is_the_labeled_only_loss(model):
    labels = [2, UNLABELED, 5, UNLABELED]
    data = model.data_preprocessor(_batch(labels), training=True)
    model.eval()  # dropout off, BN frozen: the same features twice
    losses = model(**data, mode='loss')
    feats, phi_s, _ = model.student_features(data['inputs']['imgs'])
    logits = model.cls_head.fc_cls(feats)
    # Written out: mean cross-entropy over the two labeled samples only.
    log_p = logits.log_softmax(1)
    expected = -(log_p[0, 2] + log_p[2, 5]) / 2
    assert torch.allclose(losses['loss_cls'], expected, atol=1e-5)
    # The hallucination loss still averages over all four samples.
    clips = data['inputs']['teacher_imgs'].flatten(0, 1)
    with torch.no_grad():
        phi_t = model.teacher.model.backbone(clips).mean(dim=(2, 3, 4))
    hallu = 50 * F.mse_loss(phi_s.sigmoid(), phi_t.sigmoid())
    assert torch.allclose(losses['loss_hallu'], hallu, atol=1e-6)


def test_all_labeled_batch_is_unchanged(model):
    data = model.data_preprocessor(_batch([1, 3]), training=True)
    model.eval()
    losses = model(**data, mode='loss')
    feats, _, _ = model.student_features(data['inputs']['imgs'])
    expected = F.cross_entropy(model.cls_head.fc_cls(feats),
                               torch.tensor([1, 3]))
    assert torch.allclose(losses['loss_cls'], expected, atol=1e-5)
    assert 'top1_acc' in losses


def test_batch_without_labels_still_trains(model):
    data = _batch([UNLABELED, UNLABELED, UNLABELED])
    model.train()
    losses = model(**model.data_preprocessor(data, training=True),
                   mode='loss')
    assert losses['loss_cls'].item() == 0
    assert losses['loss_hallu'].item() > 0
    sum(losses.values()).backward()
    # Every head parameter is in the graph (DDP), with a zero gradient.
    for p in model.cls_head.parameters():
        assert p.grad is not None and not p.grad.any()
    assert model.backbone.conv1.conv.weight.grad.abs().sum() > 0
    model.zero_grad()
    before = model.backbone.conv1.conv.weight.clone()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    log_vars = model.train_step(data, optim)
    assert log_vars['loss_cls'].item() == 0
    assert not torch.equal(before, model.backbone.conv1.conv.weight)
