"""kz-osms populations: their tables, the engine's index, the columnar reading of the law, and
the synthetic Kazakhstan population."""
