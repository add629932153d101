"""Allow ``python -m migrender``."""

from migrender.cli import main

if __name__ == "__main__":
    main()
