"""The concepts changed in engine 1.6.0, one test per concept, in the five languages.

Every message is written for the test (none is copied from a blind round): the point is that
the concept, not a phrase, is recognised. See docs/triage.md ("Blind round 9").
"""

from __future__ import annotations

import pytest

from tests.triage_rules.scoring import P0, P1, priority_of


# CONFUSED as a state, about someone else, and delirium told by creatures that crawl or by
# not knowing the year: confusion now (P0).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Grandma is completely disoriented this evening and thinks it is 1980."),
        (
            "es",
            "Mi abuelo está totalmente desorientado desde anoche, no para de llamar a su hermana.",
        ),
        ("de", "Meine Oma ist seit gestern völlig verwirrt und ruft nach ihrem Bruder."),
        ("fr", "Mon oncle est complètement désorienté depuis ce matin, il cherche sa maison."),
        ("it", "Mia nonna è completamente disorientata da stamattina, cerca la sua casa."),
        ("en", "My uncle says ants are climbing out of the sink, nobody else sees them."),
        ("fr", "Ma tante dit que des fourmis montent sur le lit."),
        ("de", "Er sagt, Ameisen krabbeln über die Decke."),
    ],
)
def test_a_confused_state_or_crawling_creatures_about_someone_else_is_p0(
    language: str, message: str
) -> None:
    assert priority_of(message, language, for_whom="someone_else") is P0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I'm a bit confused about your fees, can you send a price list?"),
        ("es", "Estoy confundido con los horarios del programa, ¿me los envían?"),
        ("de", "Ich bin etwas verwirrt wegen der Kosten, bitte um Infos."),
        ("fr", "Je suis un peu perdu sur les tarifs, pouvez-vous m'envoyer la brochure ?"),
        ("it", "Sono un po' confusa riguardo ai costi, mi mandate l'opuscolo?"),
    ],
)
def test_confused_about_the_paperwork_stays_routine(language: str, message: str) -> None:
    assert priority_of(message, language) not in (P0, P1)


# HANGING is intent; with a rope in the same sentence it is a plan (P0).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My brother has a rope in the garage and says he will hang himself."),
        ("es", "Mi pareja tiene una soga y me ha escrito que se va a ahorcar."),
        ("de", "Mein Mann hat ein Seil gekauft und will sich im Keller aufhängen."),
        ("fr", "Mon fils a pris une corde et dit qu'il va se pendre."),
        ("it", "Mio marito ha una corda e dice che vuole impiccarsi."),
    ],
)
def test_hanging_with_a_rope_is_a_plan(language: str, message: str) -> None:
    assert priority_of(message, language, for_whom="someone_else") is P0


# SUPPLY ENDING: the dealer gone or "out after tomorrow" with a benzodiazepine (P1).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I take Valium daily. My dealer got arrested so I'll be out by Friday."),
        ("es", "Tomo Valium todos los días y mi camello está detenido, me voy a quedar sin."),
        ("de", "Ich nehme jeden Tag Tavor, mein Dealer wurde verhaftet."),
        ("fr", "Je prends du Xanax tous les jours, mon dealer est en prison."),
        ("it", "Prendo Xanax ogni giorno, lo spacciatore è stato arrestato, resto senza."),
    ],
)
def test_a_benzodiazepine_supply_ending_is_urgent(language: str, message: str) -> None:
    assert priority_of(message, language) in (P0, P1)


# AFTERMATH: woke up in hospital, intubated, naloxone, with a substance, a few weeks ago: a
# recent overdose (P1); years ago it is history.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Two weeks ago I woke up in the ICU after too much GHB at a club."),
        ("es", "Hace tres semanas me desperté en urgencias después de beber y tomar pastillas."),
        ("de", "Vor drei Wochen bin ich nach Heroin auf der Intensivstation aufgewacht."),
        ("fr", "Il y a deux semaines on m'a réanimé après de l'héroïne."),
        ("it", "Due settimane fa mi hanno dato il naloxone dopo l'eroina."),
    ],
)
def test_an_overdose_told_by_its_aftermath_is_recent(language: str, message: str) -> None:
    assert priority_of(message, language) in (P0, P1)


def test_an_aftermath_years_ago_is_history() -> None:
    assert priority_of("Years ago I woke up in hospital after heroin. Now I drink.", "en") not in (
        P0,
        P1,
    )


# A STOP dated to the last days, with a benzodiazepine (P1).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Mum decided to quit her lorazepam three days ago, without asking anyone."),
        ("es", "Mi padre decidió dejar de tomar el Orfidal hace tres días."),
        ("de", "Mein Vater hat beschlossen, Tavor abzusetzen, vor drei Tagen."),
        ("fr", "Ma mère a décidé d'arrêter le Temesta il y a trois jours."),
        ("it", "Mia madre ha deciso di smettere lo Xanax tre giorni fa."),
    ],
)
def test_a_benzodiazepine_stopped_days_ago_is_urgent(language: str, message: str) -> None:
    assert priority_of(message, language) in (P0, P1)


# NOT EXISTING + BETTER: a death wish (P1) even with "but I won't do anything".
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Sometimes it feels better not to be around anymore, but I won't act on it."),
        ("es", "A veces pienso que sería mejor no existir, pero no haré nada."),
        ("de", "Manchmal denke ich, es wäre besser, nicht mehr da zu sein."),
        ("fr", "Parfois je me dis que ce serait mieux de ne plus exister."),
        ("it", "A volte penso che sarebbe meglio non esistere, ma non farò niente."),
    ],
)
def test_better_not_to_exist_is_a_death_wish(language: str, message: str) -> None:
    assert priority_of(message, language) in (P0, P1)


# The safety net reads a body sign with the sentence BEFORE it too.
def test_the_net_reads_a_body_sign_after_the_substance_sentence() -> None:
    msg = "My husband mixed his sleeping pills with wine. Now he is very disoriented."
    assert priority_of(msg, "en") in (P0, P1)
