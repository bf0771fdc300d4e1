# The original HalluciNet code's schedule (UCF-101): Adam, lr 1e-4 (the same
# for the hallucination branch), 50 epochs, lr / 10 after epoch 30, batch 25.
# With the runtime and its checkpoint policy (best val top-1).
_base_ = ['mmaction::_base_/schedules/adam_20e.py', '../default_runtime.py']

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=50, val_begin=1, val_interval=1)
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=50,
        by_epoch=True,
        milestones=[30],
        gamma=0.1)
]
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=0.0, _delete_=True),
    clip_grad=None)
# lr 1e-4 was set for one GPU with batch 25; --auto-scale-lr scales it.
auto_scale_lr = dict(enable=False, base_batch_size=25)
default_hooks = dict(checkpoint=dict(interval=5, save_best='acc/top1'))
