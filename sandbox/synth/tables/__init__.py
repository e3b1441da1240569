"""The published tables: one module per table, ``TABLE`` (its schema) next to ``generate(ctx)``.

Table modules never import each other; what two tables share (code lists,
the service catalogue, the synthesised people) lives in the model rooms
(``population``, ``processes``, ``texts``) or in ``synth.codes``.
"""
