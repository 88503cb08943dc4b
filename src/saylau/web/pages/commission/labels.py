"""English names (catalogue msgids) of the states, kinds and stages the pages show.

Each value is translated where it is shown (``_(label)``); the Kazakh and Russian texts are in the
``commission.po`` catalogues.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


def lname(item: Any, attribute: str = "name", language: str = "kk") -> str:
    """``item.name_<language>``, falling back to Kazakh then English."""
    for code in (language, "kk", "en"):
        value = getattr(item, f"{attribute}_{code}", "")
        if value:
            return str(value)
    return ""


STAGES: dict[str, str] = {
    "nomination_opens": N_("Nomination opens"),
    "registration_opens": N_("Registration opens"),
    "registration_publication_within": N_("Each registration is published within 7 days"),
    "election_called": N_("Election called"),
    "districts_published_by": N_("Districts published"),
    "nomination_closes": N_("Nomination closes"),
    "nomination_extension_limit": N_("Limit of an extended nomination"),
    "platform_notice_by": N_("Online platforms send their terms"),
    "registration_closes": N_("Registration closes"),
    "campaign_starts": N_("Campaign starts"),
    "campaign_ends": N_("Campaign ends"),
    "silence_day": N_("Silence day"),
    "polling_opens": N_("Polling opens"),
    "turnout_reports": N_("Turnout reports"),
    "polling_closes": N_("Polling closes"),
    "counting_starts": N_("Counting starts"),
    "exit_polls_publishable_from": N_("Exit polls may be published"),
    "results_deadline": N_("Results deadline"),
    "party_branch_seat_decision": N_("Party branch decides the list seats"),
}

CANDIDACY_STATES: dict[str, str] = {
    "nominated": N_("Nominated"),
    "documents_complete": N_("Documents complete"),
    "deposit_paid": N_("Deposit paid"),
    "registered": N_("Registered"),
    "refused": N_("Refused"),
    "withdrawn": N_("Withdrawn"),
    "cancelled": N_("Cancelled"),
}

PROTOCOL_STATES: dict[str, str] = {
    "empty": N_("Not entered"),
    "first_entry": N_("First entry made"),
    "second_entry": N_("Second entry made"),
    "entries_differ": N_("Entries differ"),
    "resolved": N_("Resolved"),
    "definitive": N_("Definitive"),
}

CONTEST_KINDS: dict[str, str] = {
    "mazhilis_list": N_("Mazhilis, party lists"),
    "mazhilis_smd": N_("Mazhilis, single-member district"),
    "first_level_list": N_("Party lists"),
    "first_level_smd": N_("Single-member district"),
    "second_level_list": N_("Party lists"),
    "second_level_smd": N_("Single-member district"),
}

ROUTES: dict[str, str] = {
    "party_list": N_("Party list"),
    "party_smd": N_("Party candidate in a district"),
    "public_association_smd": N_("Public association's candidate in a district"),
    "self_nominated_smd": N_("Self-nominated candidate in a district"),
}

ROLES: dict[str, str] = {
    "cec_admin": N_("cec_admin"),
    "tec_admin": N_("tec_admin"),
    "tec_coordinator": N_("tec_coordinator"),
    "pec_typist": N_("pec_typist"),
    "party_agent": N_("party_agent"),
    "observer": N_("observer"),
    "analyst": N_("analyst"),
}

OUTCOMES: dict[str, str] = {
    "allocated": N_("Seats allocated"),
    "no_party_passed": N_("No party passed the threshold"),
    "elected": N_("Elected"),
    "runoff": N_("Runoff"),
    "repeat_election": N_("Repeat election"),
    "lot_required": N_("A lot is required"),
    "no_protocols": N_("No protocol yet"),
    "no_ballot": N_("No ballot prepared"),
    "final": N_("Final"),
    "provisional": N_("Provisional"),
}

AWARD_REASONS: dict[str, str] = {
    "largest_remainder": N_("Largest remainder"),
    "earlier_registration": N_("Equal remainder: the list registered earlier"),
    "lot": N_("Equal remainder and registration: by lot"),
    "highest_average": N_("Highest average"),
    "every_list": N_("One seat to every list first"),
    "one_party_rule": N_("Only one list passed: remaining seats to it"),
}

BANDS: dict[str, str] = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}

MANDATE_STATES: dict[str, str] = {
    "won": N_("Won, not yet assigned"),
    "assigned": N_("Assigned"),
    "registered": N_("Registered deputy"),
    "terminated": N_("Terminated"),
    "vacant": N_("Vacant"),
}

VACANCY_OUTCOMES: dict[str, str] = {
    "filled_from_list": N_("Filled from the list"),
    "vacant_until_next_election": N_("Vacant until the next election"),
    "by_election": N_("By-election"),
    "no_by_election_final_year": N_("No by-election in the final year"),
    "awaiting_party_decision": N_("Awaiting the party's decision"),
}

RECALL_STATES: dict[str, str] = {
    "applied": N_("Applied"),
    "registered": N_("Registered"),
    "refused": N_("Refused"),
    "collecting": N_("Collecting signatures"),
    "insufficient": N_("Not enough signatures"),
    "vote_called": N_("Vote called"),
    "kept": N_("Mandate kept"),
    "recalled": N_("Recalled"),
}

OBSERVER_KINDS: dict[str, str] = {
    "party": N_("Political party"),
    "ngo": N_("Non-governmental organisation"),
    "international": N_("International organisation"),
    "media": N_("Mass media"),
}

SEVERITIES: dict[str, str] = {"error": N_("Error"), "warning": N_("Warning")}

RELATIONS: dict[str, str] = {
    "received_equals_issued_plus_cancelled": N_(
        "Ballots received must equal ballots issued plus ballots cancelled."
    ),
    "in_boxes_equals_votes_plus_against_all_plus_invalid": N_(
        "Ballots in the boxes must equal all votes plus “against all” plus invalid ballots."
    ),
    "in_boxes_at_most_issued": N_("Ballots in the boxes must not exceed ballots issued."),
    "issued_at_most_voters_on_list": N_("Ballots issued must not exceed voters on the list."),
    "portable_at_most_requests": N_(
        "Valid portable-box ballots must not exceed the written requests."
    ),
    "portable_at_most_in_boxes": N_("Portable-box ballots must not exceed ballots in the boxes."),
    "portable_invalidated_at_most_portable": N_(
        "Invalidated portable-box ballots must not exceed portable-box ballots."
    ),
    "portable_invalidated_at_most_invalid": N_(
        "Invalidated portable-box ballots must not exceed invalid ballots."
    ),
    "valid_equals_in_boxes_minus_invalid": N_(
        "Valid ballots must equal ballots in the boxes minus invalid ballots."
    ),
    "valid_equals_votes_plus_against_all": N_(
        "Valid ballots must equal all votes plus “against all”."
    ),
    "against_all_only_if_on_ballot": N_("“Against all” must be 0: this ballot has no such line."),
    "voters_on_list_at_most_precinct_max": N_(
        "More voters on the list than a precinct may have (3,000): check the figure."
    ),
}


def contest_label(contest: Any, language: str, gettext: Any) -> str:
    """The body, the kind of contest and the district number, in ``language``."""
    text = f"{lname(contest.body, 'name', language)} — {gettext(CONTEST_KINDS[contest.kind.value])}"
    if contest.district is not None:
        text += f" № {contest.district.number}"
    return text


LEVELS: dict[str, str] = {
    "cec": N_("Central Election Commission"),
    "tec_region": N_("Territorial commission of a region"),
    "tec_unit": N_("Territorial commission of a district or city"),
    "pec": N_("Precinct commission"),
}
