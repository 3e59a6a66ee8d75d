"""Seeding the demo neighbourhood through the domain services, the same at every run.

Identities never depend on the clock; only timestamps do, placed relative to `now` so that the
history always reads "over the last eight weeks".
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import Conflict
from backend.ledger.accounts import open_account
from backend.ledger.funding import issue_time_credits
from backend.ledger.jobs import settle_job
from backend.ledger.models import AccountKind
from backend.ledger.service import hold
from backend.listings.schemas import ListingCreate
from backend.listings.service import close_listing, create_listing
from backend.people.models import Person, Role
from backend.people.schemas import AddressIn, AvailabilityIn, HelperProfileIn, PersonCreate
from backend.people.service import create_person
from backend.requests.models import HelpRequest, PayMode, RequestEvent, RequestStatus
from backend.requests.schemas import HelpRequestCreate
from backend.requests.service import create_request, transition
from backend.trust.service import rate, report
from coupdemain.demo.board import LISTINGS, ListingPlan
from coupdemain.demo.conversations import seed_conversations
from coupdemain.demo.identities import ADMIN, DISPATCHER, DemoIdentities, demo_rng, identities_of
from coupdemain.demo.people import PersonPlan, plan_people
from coupdemain.demo.places import CITY
from coupdemain.demo.stories import JobPlan, Outcome, plan_jobs
from coupdemain.demo.texts import BIO_EN_DEFAULT, BIOS_EN, BIOS_FR

PARIS = ZoneInfo("Europe/Paris")
DEMO_COMMISSION_BPS = 1000  # the default setting: 10 % on cash jobs
WELCOME_MINUTES = 600  # time credits a time-bank member starts with


class DemoRefused(Conflict):
    code = "demo_refused"


def seed_demo(
    session: Session, *, now: datetime, commission_bps: int = DEMO_COMMISSION_BPS
) -> DemoIdentities:
    """Fill an empty database with the demo neighbourhood; the caller commits.

    Refuses a database that already has people: the demo must never mix with real data.
    """
    if session.scalar(select(Person.id).limit(1)) is not None:
        raise DemoRefused(
            "la base contient déjà des personnes : la démo ne se charge que dans une base vide "
            "(this database already has people; demo data only goes into an empty one)"
        )
    rng = demo_rng()
    residents, helpers = plan_people(rng)
    jobs = plan_jobs(rng, residents, helpers)
    for staff, role in ((DISPATCHER, Role.dispatcher), (ADMIN, Role.admin)):
        create_person(
            session,
            PersonCreate(
                display_name=staff.name, roles=[role], login=staff.login, password=staff.password
            ),
        )
    people = {p.key: _person(session, p, n, now) for n, p in enumerate(residents + helpers)}
    for listing in LISTINGS:
        _listing(session, listing, people, now)
    credited: set[int] = set()
    for n, job in enumerate(jobs):
        _job(session, job, n, people, now, commission_bps, credited)
    _pending_hold(session, people, credited)
    seed_conversations(session, residents, people, now)
    session.flush()
    return identities_of(residents, helpers)


def _person(session: Session, plan: PersonPlan, n: int, now: datetime) -> Person:
    helper = plan.helper
    profile = None
    if helper is not None:
        main = helper.services[0]
        english = plan.language == "en"
        profile = HelperProfileIn(
            services=list(helper.services),
            radius_km=helper.radius_km,
            languages=list(helper.languages),
            availability=[
                AvailabilityIn(weekday=d, start_minute=s, end_minute=e)
                for d, s, e in helper.availability
            ],
            bio=BIOS_EN.get(main, BIO_EN_DEFAULT) if english else BIOS_FR[main],
        )
    home = plan.home
    person = create_person(
        session,
        PersonCreate(
            display_name=plan.name,
            language=plan.language,
            phone=plan.phone,
            telegram_id=plan.telegram_id,
            address=AddressIn(
                street=home.street,
                postcode=home.postcode,
                city=CITY,
                neighbourhood=home.neighbourhood,
                lat=home.lat,
                lon=home.lon,
            ),  # fmt: skip
            helper=profile,
        ),
    )
    for contact in person.contacts:  # numbers and accounts the association has checked
        contact.verified = True
    # Members for three months to a year and a bit; the exact days do not matter, only that
    # they are the same at every seeding.
    person.created_at = now - timedelta(days=90 + (n * 37) % 400)
    if person.helper_profile is not None and helper is not None:
        person.helper_profile.created_at = person.created_at
        if helper.verified:
            # Verifying a helper includes seeing where they live: such neighbours can vouch.
            person.helper_profile.verified_at = person.created_at + timedelta(days=5)
            for address in person.addresses:
                address.verified_at = person.helper_profile.verified_at
    return person


def _local(now: datetime, days_ago: int, hour: int) -> datetime:
    day = (now.astimezone(PARIS) - timedelta(days=days_ago)).date()
    return datetime.combine(day, time(hour), PARIS).astimezone(UTC)


def _listing(session: Session, plan: ListingPlan, people: dict[str, Person], now: datetime) -> None:
    author = people[plan.author]
    posted = now - timedelta(days=plan.posted_days_ago, hours=3)
    starts = _local(now, -plan.starts_in_days, plan.starts_at_hour) if plan.starts_in_days else None
    expires = now + timedelta(days=plan.expires_in_days) if plan.expires_in_days else None
    data = ListingCreate(
        kind=plan.kind, title=plan.title, body=plan.body, service=plan.service,
        price_cents=plan.price_cents, starts_at=starts, expires_at=expires,
    )  # fmt: skip
    listing = create_listing(session, author.id, data, now=posted)
    if plan.closed:
        close_listing(session, listing.id, author, now=now)


def _job(
    session: Session,
    job: JobPlan,
    n: int,
    people: dict[str, Person],
    now: datetime,
    commission_bps: int,
    credited: set[int],
) -> None:
    requester = people[job.requester]
    helper = people[job.helper] if job.helper else None
    start = _local(now, job.days_ago, job.hour)
    end = start + timedelta(minutes=job.duration_minutes)
    # Asked one to three days before, in the daytime: nobody calls the hotline at 4 a.m.
    created = _local(now, job.days_ago + 1 + n % 3, 9 + n % 10) + timedelta(minutes=(n * 13) % 60)
    if job.outcome == Outcome.open:
        created = now - timedelta(minutes=35)
    request = create_request(
        session,
        HelpRequestCreate(
            requester_id=requester.id, service=job.service, details=job.details,
            window_start=start, window_end=end + timedelta(minutes=60),
            duration_minutes=job.duration_minutes, pay_mode=job.pay_mode,
            price_cents=job.price_cents, language=job.language, channel=job.channel,
        ),
    )  # fmt: skip
    at = {"created": created, RequestStatus.open: created}
    if helper is not None:
        # TODO(dispatch): once backend/dispatch/service.py lands, go through its offer and
        # accept (so offers, the safety word and the requester's notification are real); the
        # past jobs set the helper and move the status by hand meanwhile.
        request.helper_id = helper.id
        request.safety_word = job.safety_word
        transition(
            session, request, RequestStatus.assigned, actor_id=helper.id, note="offre acceptée"
        )
        request.assigned_at = at[RequestStatus.assigned] = created + timedelta(
            minutes=10 + (n * 17) % 80
        )
    if job.outcome == Outcome.done and helper is not None:
        transition(session, request, RequestStatus.in_progress, actor_id=helper.id)
        transition(session, request, RequestStatus.done, actor_id=helper.id)
        at[RequestStatus.in_progress], at[RequestStatus.done] = start, end
        _settle(session, job, request, requester, helper, commission_bps, credited)
        _rate(session, job, request, requester, helper, end + timedelta(hours=2 + (n * 5) % 20))
    elif job.outcome in (Outcome.cancelled_before_assignment, Outcome.cancelled_after_assignment):
        by = helper if helper is not None else requester
        why = "Empêchement de dernière minute" if helper else "Ma fille est finalement passée"
        transition(session, request, RequestStatus.cancelled, actor_id=by.id, note=why)
        at[RequestStatus.cancelled] = start - timedelta(hours=12)
    elif job.outcome == Outcome.no_show:
        at["flag"] = end + timedelta(hours=1)
        report(
            session, requester.id, "no_show",
            "Personne n'est venu cet après-midi pour m'accompagner. J'ai manqué mon rendez-vous.",
            request_id=request.id, now=at["flag"],
        )  # fmt: skip
    _place_in_time(session, request, at)


def _settle(
    session: Session,
    job: JobPlan,
    request: HelpRequest,
    requester: Person,
    helper: Person,
    commission_bps: int,
    credited: set[int],
) -> None:
    if job.pay_mode == PayMode.time_credits and requester.id not in credited:
        credited.add(requester.id)
        issue_time_credits(
            session, requester.id, WELCOME_MINUTES, memo="crédits de bienvenue",
            idempotency_key=f"demo:welcome:{requester.id}",
        )  # fmt: skip
    settle_job(
        session,
        request_id=request.id,
        requester_id=requester.id,
        helper_id=helper.id,
        pay_mode=PayMode(job.pay_mode),
        price_cents=job.price_cents,
        duration_minutes=job.duration_minutes,
        commission_bps=commission_bps if job.pay_mode == PayMode.cash else 0,
        actor_id=helper.id,
    )


def _pending_hold(session: Session, people: dict[str, Person], credited: set[int]) -> None:
    """Time credits set aside for a job agreed between two neighbours, for a dispatcher to
    capture once it is done or release if it does not happen."""
    payer = min(credited)
    payee = next(p for p in people.values() if p.helper_profile and p.id != payer)
    hold(
        session,
        debit_account_id=open_account(session, AccountKind.person_time, payer).id,
        credit_account_id=open_account(session, AccountKind.person_time, payee.id).id,
        amount=90,
        memo="réservé : soutien scolaire samedi (1 h 30)",
        idempotency_key=f"demo:hold:{payer}",
    )


def _rate(
    session: Session,
    job: JobPlan,
    request: HelpRequest,
    requester: Person,
    helper: Person,
    when: datetime,
) -> None:
    if job.stars_for_helper is not None:
        rate(session, request.id, requester.id, job.stars_for_helper, job.review, now=when)
    if job.stars_for_requester is not None:
        later = when + timedelta(hours=1)
        rate(session, request.id, helper.id, job.stars_for_requester, job.thanks, now=later)


def _place_in_time(session: Session, request: HelpRequest, at: dict[str, datetime]) -> None:
    """Move the request and its history back to when it happened."""
    session.flush()
    events = session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id))
    for event in events:
        key = event.to_status if event.kind == "status" else event.kind
        event.at = at.get(key or "", at["created"])
    request.created_at = at["created"]
    request.completed_at = at.get(RequestStatus.done)
    request.updated_at = max(at.values())
    session.flush()
