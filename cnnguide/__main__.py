"""``python -m cnnguide`` runs the ``cnnguide`` command (see :mod:`cnnguide.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":  # not when pytest imports the package for its doctests
    sys.exit(main())
