"""Property tests of the auto-assigner's planner over random pools, tracks, caps and conflicts."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from judging.services.assignment import REASON_CAPS, REASON_NO_POOL, REASON_NOT_ENOUGH, plan_assignments

pytestmark = [pytest.mark.unit]

PROPERTY_SETTINGS = settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def pools(draw, *, with_existing=True):
    n_tracks = draw(st.integers(1, 3))
    n_solutions = draw(st.integers(0, 25))
    n_judges = draw(st.integers(0, 10))
    solutions = {100 + i: draw(st.integers(1, n_tracks)) for i in range(n_solutions)}
    judges = {}
    caps = {}
    for j in range(1, n_judges + 1):
        tracks = draw(st.sets(st.integers(1, n_tracks), max_size=n_tracks))
        judges[j] = set(tracks) or None
        caps[j] = draw(st.one_of(st.none(), st.integers(0, 12)))
    pairs = [(s, j) for s in solutions for j in judges]
    conflicts = set(draw(st.lists(st.sampled_from(pairs), max_size=len(pairs) // 3))) if pairs else set()
    blocked = set(draw(st.lists(st.sampled_from(pairs), max_size=5))) if pairs else set()
    existing = {}
    if with_existing and pairs:
        for s, j in draw(st.lists(st.sampled_from(pairs), max_size=8)):
            if (s, j) not in conflicts and (s, j) not in blocked:
                existing.setdefault(s, set()).add(j)
    per_solution = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 1000))
    return {
        "solutions": solutions,
        "judges": judges,
        "caps": caps,
        "per_solution": per_solution,
        "existing": existing,
        "blocked": blocked,
        "conflicts": conflicts,
        "seed": seed,
    }


def eligible(args, s, j) -> bool:
    tracks = args["judges"][j]
    return (
        (tracks is None or args["solutions"][s] in tracks)
        and (s, j) not in args["conflicts"]
        and (s, j) not in args["blocked"]
    )


def check_plan(args, plan):
    k = args["per_solution"]
    existing_pairs = {(s, j) for s, js in args["existing"].items() for j in js}
    new = set(plan.new)
    assert len(new) == len(plan.new), "a pair is planned twice"
    assert not (new & existing_pairs), "an existing assignment was re-planned"
    on = {s: set(args["existing"].get(s, ())) for s in args["solutions"]}
    for s, j in plan.new:
        assert eligible(args, s, j), "ineligible judge (track, conflict or ended assignment)"
        on[s].add(j)
    load = dict.fromkeys(args["judges"], 0)
    for js in on.values():
        for j in js:
            load[j] += 1
    assert load == plan.loads
    # Loads within caps (a cap below the existing load is not made worse).
    for j, cap in args["caps"].items():
        existing_load = sum(1 for s, jj in existing_pairs if jj == j)
        if cap is not None:
            assert load[j] <= max(cap, existing_load)
            if existing_load >= cap:
                assert load[j] == existing_load

    def room(j):
        return args["caps"][j] is None or load[j] < args["caps"][j]

    short = {sh.solution_id: sh for sh in plan.shortfalls}
    for s in args["solutions"]:
        assert len(on[s]) <= max(k, len(args["existing"].get(s, ())))
        if len(on[s]) >= k:
            assert s not in short
            continue
        # Every short solution is reported, with the right reason and counts.
        sh = short[s]
        n_eligible = sum(1 for j in args["judges"] if eligible(args, s, j))
        assert (sh.assigned, sh.missing, sh.eligible) == (len(on[s]), k - len(on[s]), n_eligible)
        if sh.reason == REASON_CAPS:
            assert n_eligible >= k
            assert all(not room(j) for j in args["judges"] if eligible(args, s, j) and j not in on[s])
        elif sh.reason == REASON_NOT_ENOUGH:
            assert sh.pool > 0 and n_eligible < k
            assert all(not room(j) for j in args["judges"] if eligible(args, s, j) and j not in on[s])
        else:
            assert sh.reason == REASON_NO_POOL and sh.pool == 0
    # Balance: no new assignment could move to an eligible judge with room and two fewer.
    for s, j in plan.new:
        for j2 in args["judges"]:
            if j2 != j and j2 not in on[s] and eligible(args, s, j2) and room(j2):
                assert load[j] - load[j2] <= 1, f"judge {j} ({load[j]}) could hand solution {s} to {j2} ({load[j2]})"


@PROPERTY_SETTINGS
@given(pools())
def test_plan_guarantees_hold(args):
    plan = plan_assignments(**args)
    check_plan(args, plan)


@PROPERTY_SETTINGS
@given(pools())
def test_plan_is_deterministic(args):
    assert plan_assignments(**args) == plan_assignments(**args)


@PROPERTY_SETTINGS
@given(pools(with_existing=False))
def test_rerun_only_tops_up(args):
    first = plan_assignments(**args)
    existing = {}
    for s, j in first.new:
        existing.setdefault(s, set()).add(j)
    second = plan_assignments(**{**args, "existing": existing})
    assert second.new == []
    assert [(s.solution_id, s.reason) for s in second.shortfalls] == [
        (s.solution_id, s.reason) for s in first.shortfalls
    ]


@PROPERTY_SETTINGS
@given(
    n_solutions=st.integers(1, 60),
    n_judges=st.integers(1, 15),
    per_solution=st.integers(1, 5),
    seed=st.integers(0, 10_000),
)
def test_open_pool_loads_differ_by_at_most_one(n_solutions, n_judges, per_solution, seed):
    args = {
        "solutions": dict.fromkeys(range(n_solutions), 1),
        "judges": dict.fromkeys(range(1000, 1000 + n_judges)),
        "caps": dict.fromkeys(range(1000, 1000 + n_judges)),
        "per_solution": per_solution,
        "seed": seed,
    }
    plan = plan_assignments(**args)
    loads = plan.loads.values()
    assert max(loads) - min(loads) <= 1
    assert len(plan.new) == n_solutions * min(per_solution, n_judges)


@PROPERTY_SETTINGS
@given(pools(with_existing=False), st.data())
def test_top_up_after_removal_never_moves_others(args, data):
    first = plan_assignments(**args)
    if not first.new:
        return
    removed = data.draw(st.sampled_from(first.new))
    kept = [p for p in first.new if p != removed]
    existing = {}
    for s, j in kept:
        existing.setdefault(s, set()).add(j)
    args2 = {**args, "existing": existing, "blocked": set(args["blocked"]) | {removed}}
    second = plan_assignments(**args2)
    check_plan(args2, second)
    assert all(p[0] == removed[0] or p not in kept for p in second.new)
    assert len([p for p in second.new if p[0] == removed[0]]) <= 1


def test_unsatisfiable_pool_is_reported_not_crashed():
    plan = plan_assignments(
        solutions={1: 1, 2: 1, 3: 2, 4: 1},
        judges={10: {1}, 11: {1}, 12: None},
        caps={10: 1, 11: 1, 12: 1},
        per_solution=2,
        conflicts={(4, 12)},
    )
    reasons = {s.solution_id: s.reason for s in plan.shortfalls}
    assert reasons[3] == REASON_NOT_ENOUGH  # only judge 12 covers track 2
    assert sum(plan.loads.values()) == 3  # every cap used
    # Most constrained first: solution 4 (two eligible judges) is completed, 1 and 2 are not.
    assert set(reasons) == {1, 2, 3}
    assert sorted(plan.new) == [(3, 12), (4, 10), (4, 11)]
    plan = plan_assignments(solutions={1: 7}, judges={10: {1}}, caps={10: None}, per_solution=1)
    assert [(s.reason, s.pool) for s in plan.shortfalls] == [(REASON_NO_POOL, 0)]


@pytest.mark.parametrize("seed", range(8))
def test_repair_hands_work_on_to_free_a_needed_judge(seed):
    # Solutions 1 and 2 tie on eligible count; if 1 is served first it may take judge 10, whom
    # solution 2 needs (judge 13 is full): the repair step hands solution 1 on to judge 11.
    plan = plan_assignments(
        solutions={1: 1, 2: 2},
        judges={10: None, 11: {1}, 13: {2}},
        caps={10: 1, 11: 1, 13: 0},
        per_solution=1,
        seed=seed,
    )
    assert plan.shortfalls == []
    assert sorted(plan.new) == [(1, 11), (2, 10)]


def test_most_constrained_solution_served_first():
    # Greedy alone could give judge 10 (the only one for solution 2) to solution 1 first.
    plan = plan_assignments(
        solutions={1: 1, 2: 2}, judges={10: None, 11: {1}}, caps={10: 1, 11: 1}, per_solution=1, seed=0
    )
    assert plan.shortfalls == []
    assert sorted(plan.new) == [(1, 11), (2, 10)]
