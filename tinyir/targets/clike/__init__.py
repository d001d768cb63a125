"""Shared pieces of the C-family targets (`ocl`, `metal`, the `c` plugin): op bases in `ops`,
the statement printer in `emit`, the grid of a `uop.kernel` in `lower`. A dialect built on them
keeps only what is its own: its name, scalar types, built-ins and spelling."""
