from chalicelib.api.schemas import AppealIn
from chalicelib.services import deadlines, intake
from tests.unit.test_pipeline import drain


def test_an_overdue_case_is_marked_once_however_often_the_check_runs(fake_deps, clock):
    accepted = intake.submit_appeal(fake_deps, AppealIn(text="Открытый люк на тротуаре у дома 3, опасно"))
    drain(fake_deps)
    assert deadlines.check_deadlines(fake_deps) == 0
    clock.advance(hours=7)  # the manhole fast track is 6 hours
    assert deadlines.check_deadlines(fake_deps) == 1
    assert deadlines.check_deadlines(fake_deps) == 0
    case = fake_deps.cases.get(accepted.id)
    assert case.overdue
    assert [e.kind for e in fake_deps.cases.events(accepted.id)].count("overdue") == 1
