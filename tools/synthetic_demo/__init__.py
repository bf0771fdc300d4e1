# Copyright (c) hallucinet_mm contributors. All rights reserved.
"""The built-in main job (``make demo``, ``tools/run_synthetic_demo.py``).

Not part of the library: nothing in ``hallucinet_mm`` imports it, and no
config reaches it. It renders the synthetic videos (``render``: the
students' domain; ``teacher_domain``: the teacher's own domain, the
Kinetics analogue), trains and tests the rows through ``tools/train.py`` and
``tools/test.py``, and reports the table (``report``).
"""
