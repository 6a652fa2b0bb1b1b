"""Shared test settings.

Hypothesis: no per-example deadline (the machine is shared and noisy, and these
are correctness tests, not timings) and a fixed example budget, so a CI run on
two cores stays short. Set ``HYPOTHESIS_PROFILE=thorough`` for a longer search.
"""

import os

import matplotlib
import torch
from hypothesis import HealthCheck, settings

# Nothing in the package uses pyplot, but a test or a third-party helper might:
# never try to open a window.
matplotlib.use("Agg")

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

torch.set_num_threads(min(2, torch.get_num_threads()))
