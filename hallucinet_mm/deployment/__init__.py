# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""Deployment of the student: ONNX export and inference helpers."""
from .onnx_export import (StudentExportWrapper, export_metadata,
                          export_student_onnx, read_onnx_metadata,
                          student_preprocess)

__all__ = [
    'StudentExportWrapper', 'export_metadata', 'export_student_onnx',
    'read_onnx_metadata', 'student_preprocess'
]
