"""Experimentierraum: a sandbox of synthetic municipal data for innovation labs.

Submodules are imported on use (``from sandbox import datasets``), so that
importing the package and ``sandbox --help`` stay fast.
"""

__version__ = "0.3.0"
__all__ = ["__version__"]
