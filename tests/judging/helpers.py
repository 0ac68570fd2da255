def full_scores(world, values=("8", "7.5", "15")) -> list[tuple[int, str]]:
    """One (criterion id, raw value) per criterion of the world's rubric."""
    return [(c.pk, v) for c, v in zip(world.criteria, values, strict=True)]
