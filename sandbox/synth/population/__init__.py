"""Who lives in the municipality: ages, households, partnerships and names.

The models here are shared by the register tables (`haushalte`, `einwohner`,
`ansprueche`, ...); they return arrays, never published tables.
"""
