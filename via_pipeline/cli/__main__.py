"""`python -m via_pipeline.cli`."""

import sys

from via_pipeline.cli import main

sys.exit(main())
