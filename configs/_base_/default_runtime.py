# MMAction2's runtime, plus the plugin import that registers hallucinet_mm.
_base_ = 'mmaction::_base_/default_runtime.py'

custom_imports = dict(imports=['hallucinet_mm'], allow_failed_imports=False)
