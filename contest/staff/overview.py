"""The contest overview page gathers what every app shows about one contest.

contest imports none of the apps built on it, so each of them (submissions, judging) adds its part
of the overview by registering a contributor when its staff views are imported (the URL
configuration imports them all before any page is served): a function
`(request, contest, forms) -> dict` whose keys are merged into the page's context. `forms` maps
(form prefix name, object id) to a bound form with errors when an action renders the page again.
Counts go into `counts`, merged across contributors.
"""

from collections.abc import Callable

Contributor = Callable[..., dict]

_CONTRIBUTORS: list[Contributor] = []


def overview_contributor(fn: Contributor) -> Contributor:
    if fn not in _CONTRIBUTORS:
        _CONTRIBUTORS.append(fn)
    return fn


def contributed_context(request, contest, forms: dict) -> dict:
    context: dict = {"counts": {}}
    for contribute in _CONTRIBUTORS:
        part = contribute(request, contest, forms)
        context["counts"].update(part.pop("counts", {}))
        context.update(part)
    return context
