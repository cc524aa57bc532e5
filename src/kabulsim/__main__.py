"""Allow ``python -m kabulsim``."""

import sys

from kabulsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
