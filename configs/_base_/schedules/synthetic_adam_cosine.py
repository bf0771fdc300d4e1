# The schedule of the synthetic-data configs, with the runtime: that of
# ./adam_1e-4_20e.py (epochs, Adam, seed 0, a checkpoint every 5 epochs, the
# last 2 kept, no best-checkpoint selection) for 15 epochs at lr 1e-3 with
# cosine decay to 1e-5, validation every 5 epochs, batch 16, as
# ../../synthetic/hallucinet_r18_synthetic.py trains. A config with another
# budget sets max_epochs, the scheduler's T_max and the intervals (e.g.
# ../../synthetic/teacher_r3d18_synthetic.py: 30 epochs).
_base_ = ['./adam_1e-4_20e.py']

train_cfg = dict(max_epochs=15, val_interval=5)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=15, by_epoch=True, eta_min=1e-5)
]
default_hooks = dict(logger=dict(interval=5))
auto_scale_lr = dict(base_batch_size=16)
