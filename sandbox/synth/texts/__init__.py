"""Free text: citizens' messages assembled from text modules (Textbausteine)."""
