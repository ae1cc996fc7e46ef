"""Everything that computes: models, generation, prompts, retrieval, training. No Qt."""

from engine.platform import preload_blas

# Before anything imports mlx.core: on Linux this lets OpenBLAS replace MLX's slow
# reference BLAS (it must be loaded first to take over the symbols).
preload_blas()
