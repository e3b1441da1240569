"""``python -m sandbox.cli``: the same as the ``sandbox`` console script."""

from sandbox.cli import main

main()
