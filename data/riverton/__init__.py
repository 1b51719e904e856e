"""The parts of the demo generator ``data/make_demo.py``: Riverton, a fictional mid-sized
Midwestern city, drawn from one random generator in a fixed order (geography, areas, stores,
sites, foods, supply; the roads use no randomness)."""
