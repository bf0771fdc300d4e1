# Copyright (c) hallucinet_mm contributors. All rights reserved.
from .check_teacher_feature_store_hook import CheckTeacherFeatureStoreHook

__all__ = ['CheckTeacherFeatureStoreHook']
