"""``python -m sandbox.cli``: the same as the ``sandbox`` console script.

Guarded, because Dask's LocalCluster starts its workers with ``spawn``, which
imports the main module again in every worker process.
"""

from sandbox.cli import main

if __name__ == "__main__":
    main()
