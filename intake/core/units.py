"""One unit of work for the domains' use cases: run the services, commit, or roll back and raise.

Each domain's ``use_cases`` module owns its commit; this is the one shape they share. A refusal
the domain expects rolls back whatever the request had pending and is raised again for the view
to show. Some database errors mean "someone else got there first": a domain may name, for each,
the refusal to raise instead (after the rollback), so staff see a sentence rather than a 500.
Anything else propagates untouched.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

from intake.extensions import db

T = TypeVar("T")
P = ParamSpec("P")

Translation = tuple[type[Exception], Callable[[], Exception]]


def run_unit(
    action: Callable[[], T],
    refusals: tuple[type[Exception], ...],
    translations: Sequence[Translation] = (),
) -> T:
    """Run ``action`` and commit; on a refusal or a translated error roll back, then raise.

    ``refusals`` are raised again as they are; each of ``translations`` pairs a database error
    with a function that builds the refusal raised in its place, the original not chained.
    """
    try:
        result = action()
        db.session.commit()
    except refusals:
        db.session.rollback()
        raise
    except Exception as error:
        for kind, refusal in translations:
            if isinstance(error, kind):
                db.session.rollback()
                raise refusal() from None
        raise
    return result


def committing(
    refusals: tuple[type[Exception], ...], translations: Sequence[Translation] = ()
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Make a use case of a service that takes the same arguments: one :func:`run_unit` each.

    For a use case that only runs one service and commits, so that its parameters are not
    written out twice (the use case keeps the service's signature and type hints).
    """

    def wrap(service: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(service)
        def use_case(*args: P.args, **kwargs: P.kwargs) -> T:
            return run_unit(lambda: service(*args, **kwargs), refusals, translations)

        use_case.__doc__ = (
            f"{service.__doc__ or ''}\n\nCommits (:func:`intake.core.units.run_unit`)."
        )
        return use_case

    return wrap
