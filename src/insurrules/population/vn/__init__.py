"""vn-bhyt populations: their tables, the card-chain engine, and the synthetic Vietnamese
population."""
