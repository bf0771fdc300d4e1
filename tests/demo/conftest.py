"""Shares the tiny-student fixtures (real video, config, checkpoint)."""
from tests.deployment.student_fixtures import (tiny_student,  # noqa: F401
                                               tiny_student_onnx)
