"""`python -m imdesk`: hands argv to the command line."""

import sys

from imdesk.cli import main

sys.exit(main())
