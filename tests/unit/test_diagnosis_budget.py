"""One time budget for every sign-in diagnosis (issue #20 item 3): a failed PBKDF2 sign-in at
2,000,000 iterations once cost seven derivations (7 s). Costs are counted here on a cost clock
(each PBKDF2 derivation advances it by its iterations at 2,000,000 a second), never on the wall.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable

import pytest

from mock_okta import diagnosis
from mock_okta.diagnosis import DOCTOR_BUDGET, Budget, diagnose, examine
from mock_okta.hashing import parse_hash
from mock_okta.org import Org
from tests.conftest import Api

PASSWORD = "Correct-Horse-7"
SALT = b"budget-salt-0123"
RATE = 2_000_000.0  # iterations a second on the cost clock


class CostClock:
    """A timer that moves only when PBKDF2 work is done, by the work's size."""

    def __init__(self) -> None:
        self.now = 0.0
        self.derivations: list[int] = []  # iteration counts of the derivations done

    def timer(self) -> float:
        return self.now

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = hashlib.pbkdf2_hmac

        def pbkdf2_hmac(
            name: str, password: bytes, salt: bytes, iterations: int, dklen: int | None = None
        ) -> bytes:
            self.now += iterations / RATE
            self.derivations.append(iterations)
            if iterations <= 10_000:
                return real(name, password, salt, iterations, dklen)
            # A stand-in for a costly derivation: as deterministic, and free on the wall.
            seed = b"|".join((name.encode(), password, salt, str(iterations).encode()))
            return hashlib.shake_256(seed).digest(dklen or hashlib.new(name).digest_size)

        monkeypatch.setattr(hashlib, "pbkdf2_hmac", pbkdf2_hmac)

    def full(self, iterations: int) -> int:
        return self.derivations.count(iterations)


@pytest.fixture
def cost(monkeypatch: pytest.MonkeyPatch) -> CostClock:
    clock = CostClock()
    clock.install(monkeypatch)
    return clock


def pbkdf2(password: str, iterations: int) -> dict[str, object]:
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), SALT, iterations, 32)
    return {
        "algorithm": "PBKDF2",
        "iterationCount": iterations,
        "keySize": 32,
        "digestAlgorithm": "SHA256_HMAC",
        "salt": base64.b64encode(SALT).decode(),
        "value": base64.b64encode(key).decode(),
    }


def test_the_budget_stops_work_that_would_not_fit() -> None:
    now = [0.0]
    budget = Budget(0.5, lambda: now[0])
    assert budget.allows(0.5)
    now[0] = 0.3
    assert budget.allows(0.2)
    assert not budget.allows(0.21)
    assert not budget.allows(0.0)  # once out, always out
    assert budget.ran_out


def test_a_failed_sign_in_at_two_million_iterations_derives_no_variant(cost: CostClock) -> None:
    h = parse_hash(pbkdf2(PASSWORD, 2_000_000))
    cost.derivations.clear()
    start = cost.now
    sentence = diagnose("Wrong-Horse-7", h, timer=cost.timer)
    assert cost.full(2_000_000) == 0  # each would take 1 s: none fits in 0.5 s
    assert cost.now - start <= diagnosis.SERVER_BUDGET
    assert sentence == (
        "password does not verify against the imported PBKDF2 hash: no known variant verifies;"
        " the diagnosis ran out of its 0.5 s time budget before checking the other"
        " digestAlgorithm at 2000000 iterations, and the rest (mock-okta doctor looks further)."
    )


def test_the_budget_allows_what_fits_and_says_what_it_left(cost: CostClock) -> None:
    h = parse_hash(pbkdf2(PASSWORD, 400_000))  # 0.2 s a derivation: two fit in 0.5 s
    cost.derivations.clear()
    start = cost.now
    sentence = diagnose("Wrong-Horse-7", h, timer=cost.timer)
    assert cost.full(400_000) == 2
    assert cost.now - start <= diagnosis.SERVER_BUDGET
    assert "no known variant verifies (checked the other digestAlgorithm, the salt as text);" in (
        sentence
    )
    assert "before checking the salt as text with the other digestAlgorithm at 400000" in sentence


def test_within_the_budget_every_variant_is_derived_and_a_mistake_found(cost: CostClock) -> None:
    sent = pbkdf2(PASSWORD, 200_000)
    sent["digestAlgorithm"] = "SHA512_HMAC"  # the key was derived with SHA-256
    finding = examine(PASSWORD, parse_hash(sent), timer=cost.timer, failed=True)
    assert finding.codes == ("pbkdf2-digest",)
    assert finding.confirmed
    assert not finding.unchecked


def test_the_doctor_has_a_larger_budget(cost: CostClock) -> None:
    h = parse_hash(pbkdf2(PASSWORD, 2_000_000))
    cost.derivations.clear()
    finding = examine("Wrong-Horse-7", h, budget=DOCTOR_BUDGET, timer=cost.timer)
    assert cost.full(2_000_000) == 4  # the check itself, then three readings
    assert not finding.unchecked
    assert "so the password is probably not the one" in finding.explain()


def test_bcrypt_and_digest_diagnoses_stop_when_the_budget_is_spent() -> None:
    ticks = iter(range(1000))
    timer: Callable[[], float] = lambda: float(next(ticks))  # noqa: E731  # a second a look
    sha = base64.b64encode(hashlib.sha256(b"salt" + b"other").digest()).decode()
    h = parse_hash({"algorithm": "SHA-256", "salt": "salt", "saltOrder": "PREFIX", "value": sha})
    finding = examine(PASSWORD, h, timer=timer, failed=True)
    assert finding.unchecked == "the rest of the digest variants"
    bcrypt_hash = {"algorithm": "BCRYPT", "workFactor": 4, "salt": "a" * 22, "value": "b" * 31}
    finding = examine(PASSWORD, parse_hash(bcrypt_hash), timer=timer, failed=True)
    assert finding.unchecked.startswith("workFactor ")
    assert "ran out of its 0.5 s time budget" in finding.explain()


def test_the_journal_says_when_a_sign_in_diagnosis_ran_out(
    api: Api, org: Org, cost: CostClock
) -> None:
    org.authn.diagnose = functools.partial(diagnose, timer=cost.timer)  # the Authn seam
    hashed = {"password": {"hash": pbkdf2(PASSWORD, 2_000_000)}}
    login = "pbkdf2.slow@example.com"
    assert api.created_id(login, credentials=hashed)
    cost.derivations.clear()
    assert api.authn(login, "Wrong-Horse-7").status_code == 401
    assert cost.full(2_000_000) == 1  # the sign-in's own check; the diagnosis derived none
    assert api.authn(login, PASSWORD).status_code == 200
    org.journal.flush()
    entries = api.call("GET", "/_mock/requests?path=/api/v1/authn").json["entries"]
    assert [e["status"] for e in entries] == [401, 200]
    assert "ran out of its 0.5 s time budget before checking" in entries[0]["detail"]
