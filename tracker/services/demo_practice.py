"""The demo practice: Riverside Family Medicine's 25 people and the fixed facts of its demo.

People at both locations in every job role, each with habits (a profile: diligent, typical,
laggard, or new), a demo manager and a demo front-desk account with known passwords, and the
numbers the demo's history is drawn from (tracker.services.demo_history). Seeding is
tracker.services.demo_seed.
"""

from __future__ import annotations

from dataclasses import dataclass

SEED = 19101030  # 29 CFR 1910.1030: any fixed number gives the same demo every run
WINDOW_DAYS = 425  # about 14 months of history
DEMO_ACTOR = "seed-demo"
DOMAIN = "riverside.example"
MANAGER_EMAIL, MANAGER_PASSWORD = f"manager@{DOMAIN}", "riverside-manager-demo"
STAFF_EMAIL, STAFF_PASSWORD = f"maya.patel@{DOMAIN}", "riverside-frontdesk-demo"
NEW_HIRE_EMAIL, NEW_HIRE_PASSWORD = f"kevin.oneill@{DOMAIN}", "riverside-newhire-demo"
KNOWN_PASSWORDS = {MANAGER_EMAIL: MANAGER_PASSWORD, STAFF_EMAIL: STAFF_PASSWORD, NEW_HIRE_EMAIL: NEW_HIRE_PASSWORD}
DEMO_USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36"
VERIFIED_NOTE = "Checked on the issuer's online verification page."
STAND_IN_NOTE = (
    "!!! note \"Demo archive\"\n    The content library keeps only the current text of this policy. This archived version "
    "{version} is a stand-in made by the demo seeder: it repeats the current text, so that the demo can show "
    "signatures of an earlier version.\n\n")

# Signing and training habits: (chance of never doing an item, usual delay in days, chance of being late)
PROFILES = {"diligent": (0.0, 6, 0.0), "typical": (0.02, 10, 0.12), "laggard": (0.15, 20, 0.5), "new": (0.0, 25, 0.0)}


@dataclass(frozen=True)
class DemoPerson:
    name: str
    job_title: str
    roles: tuple[str, ...]
    location: str
    hired_days_ago: int
    profile: str = "typical"
    left_days_ago: int | None = None
    email: str = ""

    @property
    def address(self) -> str:
        return self.email or f"{self.name.removeprefix('Dr. ').lower().replace(' ', '.').replace(chr(39), '')}@{DOMAIN}"


PEOPLE = (
    DemoPerson("Dana Whitfield", "Office manager", ("office-manager", "privacy-officer", "security-officer",
                                                  "compliance-officer"),
               "main-street", 2200, "diligent", email=MANAGER_EMAIL),
    DemoPerson("Dr. Priya Raman", "Physician", ("clinician", "clia-director"), "main-street", 2900, "diligent"),
    DemoPerson("Dr. Marcus Bell", "Physician", ("clinician",), "main-street", 1100, "laggard"),
    DemoPerson("Elena Ortiz", "Nurse practitioner", ("clinician",), "main-street", 760),
    DemoPerson("Grace Kim", "Registered nurse", ("clinician",), "main-street", 1850, "diligent"),
    DemoPerson("Luis Ferreira", "Medical assistant", ("medical-assistant",), "main-street", 1500),
    DemoPerson("Tasha Brooks", "Medical assistant", ("medical-assistant",), "main-street", 540, "laggard"),
    DemoPerson("Kevin O'Neill", "Medical assistant", ("medical-assistant",), "main-street", 0, "new",
               email=NEW_HIRE_EMAIL),
    DemoPerson("Maya Patel", "Front desk receptionist", ("front-desk",), "main-street", 1080, email=STAFF_EMAIL),
    DemoPerson("Jordan Reyes", "Front desk receptionist", ("front-desk",), "main-street", 400),
    DemoPerson("Sofia Haddad", "Scheduling coordinator", ("front-desk",), "main-street", 20, "new"),
    DemoPerson("Ahmed Karim", "Billing specialist", ("billing-coding",), "main-street", 2300, "diligent"),
    DemoPerson("Rachel Stein", "Certified professional coder", ("billing-coding",), "main-street", 700),
    DemoPerson("Hannah Lee", "Billing and front office lead", ("billing-coding", "front-desk"), "main-street", 1400),
    DemoPerson("Paul Dubois", "Site supervisor", ("office-manager",), "northgate", 1460, "diligent"),
    DemoPerson("Dr. Samuel Okafor", "Physician", ("clinician", "clia-director"), "northgate", 2600),
    DemoPerson("Nina Alvarez", "Physician assistant", ("clinician",), "northgate", 380),
    DemoPerson("Beth Morgan", "Registered nurse", ("clinician",), "northgate", 1200),
    DemoPerson("Carlos Mendes", "Medical assistant", ("medical-assistant",), "northgate", 800),
    DemoPerson("Aisha Johnson", "Medical assistant", ("medical-assistant",), "northgate", 1900, "diligent"),
    DemoPerson("Tyler Nguyen", "Medical assistant", ("medical-assistant",), "northgate", 300, "laggard"),
    DemoPerson("Olivia Grant", "Front desk receptionist", ("front-desk",), "northgate", 820),
    DemoPerson("Ben Carter", "Front desk receptionist", ("front-desk",), "northgate", 190),
    DemoPerson("Lena Fischer", "Billing specialist", ("billing-coding",), "northgate", 1000),
    DemoPerson("Irene Walsh", "Front desk receptionist", ("front-desk",), "northgate", 1300, left_days_ago=150),
)
# Where current cards expire, by turns: enough in each of the dashboard's 30/60/90-day windows.
EXPIRY_PATTERN = ("fresh", "soon30", "fresh", "soon60", "fresh", "soon90", "fresh", "fresh", "soon30", "soon60")
EXPIRY_DAYS = {"soon30": (3, 28), "soon60": (33, 58), "soon90": (63, 88), "fresh": (120, 600), "lapsed": (-45, -5)}
SESSION_TRAINER = ("Dr. Amanda Cole", "MD, occupational medicine (Riverside Occupational Health); authorised OSHA "
                   "outreach trainer; 12 years training clinical staff on bloodborne pathogens")
SESSION_SUMMARY = ("Annual bloodborne pathogens training, 29 CFR 1910.1030(g)(2)(vii)(A)-(N): copy and explanation of "
                   "the standard; epidemiology and symptoms of bloodborne diseases; modes of transmission; our exposure "
                   "control plan and where to find it; tasks with exposure; engineering controls, work practices and "
                   "PPE; hepatitis B vaccine; emergencies and exposure incidents; post-exposure evaluation and "
                   "follow-up; signs, labels and colour coding; questions answered by the trainer in person.")



def credentials() -> list[str]:
    return [f"Manager sign-in: {MANAGER_EMAIL} / {MANAGER_PASSWORD}",
            f"Staff sign-in (front desk): {STAFF_EMAIL} / {STAFF_PASSWORD}",
            f"New hire on day one (medical assistant): {NEW_HIRE_EMAIL} / {NEW_HIRE_PASSWORD}"]
