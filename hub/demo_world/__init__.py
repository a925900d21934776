"""The demo world: agencies in several countries, their people, keys, tokens,
sharing agreements, signed export-control reports and the OFAC 2022 list.

`hub.demo_world.seed.world_seed()` creates what is missing; `./cordon demo`
calls it before starting the hub.
"""
