# Dive recognition schedule (paper section 4.2.1): 20 epochs, Adam, constant
# learning rate 1e-4. The AQA configs add the x0.1-every-5-epochs decay.
# With the runtime and its checkpoint policy: the last epoch's checkpoint is
# the result (MTL-AQA's val runs on the test split: no best-checkpoint
# selection).
_base_ = ['../default_runtime.py']
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=20, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = []  # constant learning rate
randomness = dict(seed=0, deterministic=False)
auto_scale_lr = dict(enable=False, base_batch_size=8)
default_hooks = dict(
    checkpoint=dict(interval=5, max_keep_ckpts=2, save_best=None),
    logger=dict(interval=20))
