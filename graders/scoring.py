"""Point resolution: one pure function, so every front end scores the same way."""

from __future__ import annotations

from collections.abc import Sequence

from graders.errors import SpecError


def resolve_points(total: float | None, declared: Sequence[float | None]) -> list[float]:
    """Give every check its points.

    Checks with points keep them. Checks without share what is left of `total` equally, or get 1
    each when the lab sets no total. Raises SpecError when declared points exceed the total.
    """
    fixed = sum(p for p in declared if p is not None)
    free = [i for i, p in enumerate(declared) if p is None]
    if total is None:
        return [1.0 if p is None else float(p) for p in declared]
    if fixed > total + 1e-9:
        raise SpecError(f"check points add up to {fixed:g}, more than the lab total {total:g}",
                        field="points")
    if not free and abs(fixed - total) > 1e-9:
        raise SpecError(f"check points add up to {fixed:g} but the lab total is {total:g}; "
                        "make them agree or leave some checks without points", field="points")
    share = (total - fixed) / len(free) if free else 0.0
    return [share if p is None else float(p) for p in declared]


def earned(points: float, passed: bool, fraction: float | None) -> float:
    """Points earned by one check: all when passed, a fraction when partial credit applies."""
    if fraction is not None:
        return round(points * min(max(fraction, 0.0), 1.0), 4)
    return points if passed else 0.0
