"""Containers: the image's entrypoint, loading datasets into PostgreSQL, and workshop sandboxes.

``sandbox workshop start`` runs one isolated JupyterLab container per
participant through the Docker API (the ``docker`` SDK), each with its own
token, volume, port and limits, and a shared MLflow server. Submodules are
imported on use; nothing here imports the docker SDK at package import time.
"""

__all__: list[str] = []
