"""Benchmarks, the load and fault harness, and the simulated markets.

Not part of the product: the wheel ships `market`, `matching` and `web` only, and none of
them imports this package. Run from a source checkout: `python -m bench live|stats|load|match|races`
(the `linggong bench ...` and `linggong match bench` commands hand over to it when it is there).
"""
