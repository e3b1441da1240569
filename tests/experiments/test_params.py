"""Typed parameters, seeds and NAME=VALUE assignments (experiments.params)."""

from __future__ import annotations

import pytest

from sandbox.errors import SandboxError
from sandbox.experiments import params as P


def test_parameter_values_are_typed() -> None:
    p = P.Parameter("s", "float", 0.5, minimum=0, maximum=1)
    assert p.coerce("0,8", "x") == 0.8 and p.coerce(1, "x") == 1.0
    with pytest.raises(SandboxError, match="höchstens 1"):
        p.coerce("2", "x")
    assert P.convert_value("12", "int") == 12 and P.convert_value("1.5", "int") is None
    assert P.convert_value(3.0, "int") == 3 and P.convert_value(True, "int") is None
    assert P.convert_value("nein", "bool") is False and P.convert_value("nan", "float") is None
    assert P.convert_value(7, "str") == "7" and P.convert_value(None, "str") is None
    assert P.parse_seeds("1, 2,3") == [1, 2, 3] and P.parse_seeds(None) is None
    for bad in ("", "1,,2", "-1", "1,1"):
        with pytest.raises(SandboxError):
            P.parse_seeds(bad)
    assert P.parse_assignments(["a=1", "b = x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(SandboxError, match="zweimal"):
        P.parse_assignments(["a=1", "a=2"])
