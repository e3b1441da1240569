"""Workshop sandboxes: one isolated JupyterLab container per participant, through the Docker API.

``sandbox workshop start`` runs one container per participant through the
``docker`` SDK, each with its own token, volume, port and limits, and a
shared MLflow server. The image these containers run starts through
``sandbox.services.entrypoint``. Submodules are imported on use; nothing here
imports the docker SDK at package import time.
"""

__all__: list[str] = []
