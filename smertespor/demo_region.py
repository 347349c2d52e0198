"""The demo region: Region Midtjylland with practices, the pain clinic, users and patients.

Everything here is fictitious: organisation numbers, users and patients (addresses on
"Demovej"). Loading is idempotent: running it again changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from smertespor.accounts.models import Organisation, Region, Role, User
from smertespor.advice.demo import load_demo_advice
from smertespor.centres.demo import load_demo_centre_courses
from smertespor.departments.demo import load_demo_department
from smertespor.evaluation.measures_demo import load_demo_measures
from smertespor.evaluation.screening_demo import load_demo_screening
from smertespor.medication.demo import load_demo_medication
from smertespor.pathways.demo import load_demo_pathways
from smertespor.patients.models import Patient
from smertespor.referrals.demo import load_demo_referrals
from smertespor.tapering.demo import load_demo_taper_plans
from smertespor.teaching.demo import load_demo_teaching
from smertespor.tracks.demo import load_demo_courses

DEMO_PASSWORD = "smertespor-demo"  # noqa: S105  (printed on purpose: demo users only)
PATIENT_COUNT = 240

Kind = Organisation.Kind

PRACTICES = [
    ("Lægerne i Silkeborg Centrum", "100101", "Silkeborg"),
    ("Lægehuset Viborg", "100202", "Viborg"),
    ("Lægerne ved Åen, Aarhus", "100303", "Aarhus"),
    ("Herning Lægecenter", "100404", "Herning"),
    ("Lægerne i Skanderborg", "100505", "Skanderborg"),
    ("Randers Lægehus", "100606", "Randers"),
    ("Lægeklinikken Horsens", "100707", "Horsens"),
    ("Holstebro Lægepraksis", "100808", "Holstebro"),
]
OTHER_ORGANISATIONS = [
    ("Smerteklinikken, Regionshospitalet Silkeborg", Kind.PAIN_CLINIC, "900000000000101"),
    ("Tværfagligt Smertecenter, Aarhus Universitetshospital", Kind.PAIN_CENTRE, "900000000000102"),
    ("Rygcenter, Regionshospitalet Silkeborg", Kind.HOSPITAL_DEPARTMENT, "900000000000103"),
    ("Silkeborg Kommune, Sundhed og Omsorg", Kind.MUNICIPALITY, "900000000000104"),
    ("Fysioterapi Silkeborg", Kind.PHYSIOTHERAPY, "900000000000105"),
    ("Region Midtjylland, Sundhedsplanlægning", Kind.REGIONAL_ADMINISTRATION, "900000000000106"),
    # The region's second pain centre: referrals can be forwarded between the centres.
    ("Tværfagligt Smertecenter, Regionshospitalet Gødstrup", Kind.PAIN_CENTRE, "900000000000107"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    organisation: str


CLINIC = OTHER_ORGANISATIONS[0][0]
CENTRE = OTHER_ORGANISATIONS[1][0]
SPINE_CENTRE = OTHER_ORGANISATIONS[2][0]
REGION_OFFICE = OTHER_ORGANISATIONS[5][0]
SECOND_CENTRE = OTHER_ORGANISATIONS[6][0]
MUNICIPALITY = OTHER_ORGANISATIONS[3][0]
PHYSIOTHERAPY = OTHER_ORGANISATIONS[4][0]
DEMO_USERS = [
    DemoUser("demo-gp", "Karen", "Holm", Role.GP, PRACTICES[0][0]),
    DemoUser("demo-gp2", "Jens", "Bach", Role.GP, PRACTICES[1][0]),
    DemoUser("demo-practice-nurse", "Mette", "Lund", Role.PRACTICE_NURSE, PRACTICES[0][0]),
    DemoUser("demo-practice-secretary", "Lone", "Dahl", Role.SECRETARY, PRACTICES[0][0]),
    DemoUser("demo-clinic-doctor", "Anders", "Kjær", Role.CLINIC_DOCTOR, CLINIC),
    DemoUser("demo-clinic-nurse", "Sofie", "Winther", Role.CLINIC_NURSE, CLINIC),
    DemoUser("demo-psychologist", "Ida", "Mørk", Role.PSYCHOLOGIST, CLINIC),
    DemoUser("demo-centre-doctor", "Lise", "Bruun", Role.CLINIC_DOCTOR, CENTRE),
    DemoUser("demo-centre-nurse", "Karin", "Vinther", Role.CLINIC_NURSE, CENTRE),
    DemoUser("demo-centre-psychologist", "Jonas", "Lykke", Role.PSYCHOLOGIST, CENTRE),
    DemoUser("demo-physiotherapist", "Mads", "Krogh", Role.PHYSIOTHERAPIST, CENTRE),
    DemoUser("demo-social-worker", "Hanne", "Vestergaard", Role.SOCIAL_WORKER, CENTRE),
    DemoUser("demo-clinic-secretary", "Birgit", "Skov", Role.SECRETARY, CLINIC),
    # A hospital department's doctor: a patient in the spine centre's care, an advice request.
    DemoUser("demo-hospital-doctor", "Lars", "Vinther", Role.HOSPITAL_DOCTOR, SPINE_CENTRE),
    # The pain centre's doctor and nurse (above) triage referrals; a doctor at the second centre.
    DemoUser("demo-centre2-doctor", "Anne", "Lykke", Role.CLINIC_DOCTOR, SECOND_CENTRE),
    # The low back pain pathway's other actors (physiotherapy practice, municipality).
    DemoUser("demo-physio-practice", "Lars", "Nygaard", Role.PHYSIOTHERAPIST, PHYSIOTHERAPY),
    DemoUser("demo-municipality", "Anne", "Iversen", Role.PHYSIOTHERAPIST, MUNICIPALITY),
    DemoUser("demo-planner", "Peter", "Brandt", Role.PLANNER, REGION_OFFICE),
    DemoUser("demo-admin", "Rikke", "Thorsen", Role.ADMIN, REGION_OFFICE),
    # The second administrator: role changes and conversion tables need two people.
    DemoUser("demo-admin-2", "Torben", "Friis", Role.ADMIN, REGION_OFFICE),
]

FIRST_NAMES = {
    "female": [
        "Anne",
        "Kirsten",
        "Hanne",
        "Mette",
        "Lene",
        "Susanne",
        "Inge",
        "Birthe",
        "Maria",
        "Camilla",
        "Louise",
        "Pia",
        "Tove",
        "Bente",
        "Rikke",
        "Charlotte",
    ],
    "male": [
        "Peter",
        "Jens",
        "Lars",
        "Henrik",
        "Søren",
        "Niels",
        "Michael",
        "Jørgen",
        "Thomas",
        "Morten",
        "Ole",
        "Poul",
        "Erik",
        "Claus",
        "Frank",
        "Kim",
    ],
}
LAST_NAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Østergaard",
]


def _demo_cpr(rng: random.Random, taken: set[str]) -> tuple[str, date, str]:
    while True:
        birth = date(rng.randint(1938, 1999), rng.randint(1, 12), rng.randint(1, 28))
        # 7th digit 0-3: born 1900-1999. The last digit carries the sex (odd = male).
        serial = f"{rng.randint(0, 3)}{rng.randint(0, 99):02d}{rng.randint(0, 9)}"
        number = birth.strftime("%d%m%y") + serial
        if number not in taken:
            taken.add(number)
            return number, birth, "male" if int(serial[-1]) % 2 else "female"


@transaction.atomic
def load_demo_region() -> dict[str, int]:
    region, _ = Region.objects.get_or_create(code="1082", defaults={"name": "Region Midtjylland"})
    practices = []
    for index, (name, provider_number, town) in enumerate(PRACTICES, start=1):
        practice, _ = Organisation.objects.get_or_create(
            sor_code=f"90000000000{index:04d}",
            defaults={
                "region": region,
                "name": name,
                "kind": Kind.GP_PRACTICE,
                "provider_number": provider_number,
                "address": f"Demovej {index}, {town}",
                "phone": f"8{index}00000{index}",
            },
        )
        practices.append(practice)
    for name, kind, sor_code in OTHER_ORGANISATIONS:
        Organisation.objects.get_or_create(
            sor_code=sor_code, defaults={"region": region, "name": name, "kind": kind}
        )
    organisations = {o.name: o for o in Organisation.objects.filter(region=region)}
    users_created = 0
    # Earlier demo databases made the administrator a superuser: no longer.
    User.objects.filter(role=Role.ADMIN, username__startswith="demo-").update(is_superuser=False)
    # One hash for every demo account: the password is printed for all to see, and hashing it
    # twenty times (PBKDF2, deliberately slow) was half the time `make run` spent loading.
    demo_password_hash = ""
    for demo in DEMO_USERS:
        if User.objects.filter(username=demo.username).exists():
            continue
        demo_password_hash = demo_password_hash or make_password(DEMO_PASSWORD)
        is_admin = demo.role == Role.ADMIN
        user = User(
            username=demo.username,
            first_name=demo.first_name,
            last_name=demo.last_name,
            role=demo.role,
            organisation=organisations[demo.organisation],
            # The admin site for the administrator's work; never a superuser.
            is_staff=is_admin,
        )
        user.password = demo_password_hash
        user.save()
        users_created += 1

    patients_created = 0
    if not Patient.objects.filter(listed_practice__in=practices).exists():
        rng = random.Random(1082)  # noqa: S311  (fixed seed: the same demo region every time)
        taken = set(Patient.objects.values_list("cpr", flat=True))
        patients = []
        for index in range(PATIENT_COUNT):
            cpr, birth, sex = _demo_cpr(rng, taken)
            name = f"{rng.choice(FIRST_NAMES[sex])} {rng.choice(LAST_NAMES)}"
            practice = practices[index % len(practices)]
            town = practice.address.split(", ")[-1]
            patients.append(
                Patient(
                    cpr=cpr,
                    name=name,
                    birth_date=birth,
                    sex=sex,
                    listed_practice=practice,
                    address=f"Demovej {index + 10}, {town}",
                )
            )
        bulk_create_with_history(patients, Patient, batch_size=500)
        patients_created = len(patients)
    medication_lines_created = load_demo_medication(
        Patient.objects.filter(listed_practice__in=practices).order_by("cpr")
    )
    taper_plans_created = load_demo_taper_plans(
        Patient.objects.filter(listed_practice__in=practices).order_by("cpr")
    )
    load_demo_teaching(organisations)
    advice_requests_created = load_demo_advice(
        clinic_name=CLINIC, gp_username="demo-gp", other_gp_username="demo-gp2"
    )
    courses_created = load_demo_courses(
        gp_username="demo-gp", nurse_username="demo-practice-nurse", clinic_name=CLINIC
    )
    hospital_contacts_created = load_demo_department(
        department_name=SPINE_CENTRE,
        doctor_username="demo-hospital-doctor",
        clinic_name=CLINIC,
        practice_name=PRACTICES[0][0],
    )
    # The pathway first: a referral accepted for an enrolled patient reports the pain
    # centre's stage to the pathway, as in real use.
    enrolments_created = load_demo_pathways(
        gp_username="demo-gp",
        physiotherapy=PHYSIOTHERAPY,
        municipality=MUNICIPALITY,
        clinic=CLINIC,
    )
    referrals_created = load_demo_referrals(
        gp_username="demo-gp", centre_name=CENTRE, second_centre_name=SECOND_CENTRE
    )
    centre_courses_created = load_demo_centre_courses(centre_name=CENTRE, gp_username="demo-gp")
    screening_runs_created = load_demo_screening(practices)
    # Last: the measures are computed from everything above.
    measure_months_computed = load_demo_measures()
    return {
        "screening_runs_created": screening_runs_created,
        "referrals_created": referrals_created,
        "pathway_enrolments_created": enrolments_created,
        "courses_created": courses_created,
        "hospital_contacts_created": hospital_contacts_created,
        "centre_courses_created": centre_courses_created,
        "advice_requests_created": advice_requests_created,
        "users_created": users_created,
        "patients_created": patients_created,
        "medication_lines_created": medication_lines_created,
        "taper_plans_created": taper_plans_created,
        "measure_months_computed": measure_months_computed,
    }
