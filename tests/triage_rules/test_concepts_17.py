"""The concepts changed in engine 1.7.0, one test per concept, in the five languages.

Every message is written for the test (none is copied from a blind round): the point is that
the concept, not a phrase, is recognised. See docs/triage.md ("Blind round 10").
"""

from __future__ import annotations

import pytest

from tests.triage_rules.scoring import P0, P1, URGENT, result_of


# SEIZURE-STIFF is a seizure sign of its own: going rigid and then jerking is a seizure,
# P0 when it happened today, a past withdrawal seizure (P1) when it was years ago.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Last night my brother went rigid on the sofa and then his arms were jerking."),
        ("es", "Esta mañana mi tío se quedó rígido y luego tuvo sacudidas en los brazos."),
        ("de", "Heute früh wurde mein Onkel ganz steif und hat danach am ganzen Körper gezuckt."),
        ("fr", "Ce matin mon frère s'est raidi puis a eu des secousses dans les bras."),
        ("it", "Stamattina mio zio è diventato rigido e poi ha avuto scosse alle gambe."),
    ],
)
def test_going_stiff_then_jerking_today_is_a_seizure_now(language: str, message: str) -> None:
    assert result_of(message, language, for_whom="someone_else").priority is P0


def test_a_bitten_tongue_and_going_stiff_years_ago_is_a_past_withdrawal_seizure() -> None:
    result = result_of(
        "Hace tres años, cuando dejé el vino de golpe, me quedé tieso y me mordí la lengua.",
        "es",
    )
    assert result.priority is P1
    assert result.has("withdrawal_seizure_history")


# MOTIONLESS with a collapse and drink or drugs: cannot be woken (P0).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My flatmate is wasted, he is lying on the floor and isn't moving at all."),
        ("es", "Mi compañero está borracho perdido, tirado en el suelo y no se mueve."),
        ("de", "Mein Mitbewohner ist total betrunken, liegt am Boden und ist regungslos."),
        ("fr", "Mon colocataire est complètement ivre, il est par terre et ne bouge plus."),
        ("it", "Il mio coinquilino è ubriaco, è a terra e non si muove."),
    ],
)
def test_lying_still_on_the_floor_after_drink_is_p0(language: str, message: str) -> None:
    assert result_of(message, language, for_whom="someone_else").priority is P0


def test_a_leg_not_moving_well_is_no_collapse() -> None:
    assert result_of(
        "My knee is not moving well after surgery, can I join?", "en"
    ).priority not in (P0,)


# A THREAT to hurt someone, with a person hiding from it: someone else in danger now (P0).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "He says he is going to hurt the kids. We are locked in the bathroom."),
        ("es", "Amenaza con pegarles a los críos. Estamos encerrados en el dormitorio."),
        (
            "de",
            "Er droht, dass er den Kindern was antun wird. Wir haben uns im Bad eingeschlossen.",
        ),
        ("fr", "Il menace de frapper les petits. Nous sommes enfermés dans la chambre."),
        ("it", "Vuole fare del male ai bambini. Siamo chiusi in bagno."),
    ],
)
def test_a_threat_to_hurt_with_someone_hiding_is_p0(language: str, message: str) -> None:
    assert result_of(message, language, for_whom="someone_else").priority is P0


# Having DRUNK A LOT is being intoxicated: about to drive with the children (P0).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My wife drank way too much at lunch and now wants to drive the kids home."),
        ("es", "Mi marido ha bebido muchísimo y se va a llevar a los niños en el coche."),
        ("de", "Meine Frau hat sehr viel getrunken und will jetzt mit den Kindern Auto fahren."),
        ("fr", "Ma femme a beaucoup bu et veut prendre la voiture avec les enfants."),
        ("it", "Mio marito ha bevuto troppo e vuole guidare la macchina con i bambini."),
    ],
)
def test_drank_a_lot_and_driving_the_children_is_p0(language: str, message: str) -> None:
    assert result_of(message, language, for_whom="someone_else").priority is P0


# Weighing WHETHER TO DO IT, with means at hand and a time: a plan (P0).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The pills are on my desk and I'm wondering whether to do it tonight."),
        ("es", "Tengo la cuerda aquí y esta noche estoy dudando si hacerlo."),
        ("de", "Die Tabletten liegen hier und ich überlege, ob ich es heute mache."),
        ("fr", "J'ai les cachets devant moi, je me demande si je le fais ce soir."),
        ("it", "Ho le pastiglie qui e stasera mi chiedo se farlo."),
    ],
)
def test_weighing_whether_to_do_it_with_means_tonight_is_p0(language: str, message: str) -> None:
    assert result_of(message, language).priority is P0


# TOO MUCH taken and EMERGENCY CALLED, weeks ago: an overdose in the past 3 months (P1).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Three weeks ago I took too much heroin and my girlfriend called an ambulance."),
        ("es", "Hace tres semanas tomé demasiada heroína y mi hermana llamó a la ambulancia."),
        (
            "de",
            "Vor drei Wochen zu viel Heroin genommen, mein Bruder hat den Krankenwagen gerufen.",
        ),
        ("fr", "Il y a trois semaines j'ai pris trop d'héroïne, ma soeur a appelé le SAMU."),
        ("it", "Tre settimane fa ho preso troppo eroina e mia sorella ha chiamato il 118."),
    ],
)
def test_too_much_taken_and_help_called_weeks_ago_is_p1(language: str, message: str) -> None:
    assert result_of(message, language).priority in URGENT


# The safety net: something taken with a sedative or in an amount, and a farewell or not
# caring: never routine.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "necked the whole packet, who cares"),
        ("en", "tablets and whisky. goodbye."),
        ("es", "me tragué todas las pastillas, me da igual"),
        ("de", "Tabletten und Schnaps. Lebt wohl."),
        ("fr", "avalé toute la plaquette, je m'en fiche"),
        ("it", "ho preso tutte le pastiglie, chi se ne frega"),
    ],
)
def test_taken_with_a_farewell_or_not_caring_is_never_routine(language: str, message: str) -> None:
    assert result_of(message, language).priority in URGENT


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I take 40 mg of methadone every morning and want to taper. Thanks, bye!"),
        ("de", "Ich trinke jeden Abend zwei Bier und möchte heute einen Termin. Tschüss"),
        ("es", "Tomo una copa de vino al día, ¿tienen grupos? Gracias, adiós."),
    ],
)
def test_a_habit_and_a_polite_sign_off_stay_routine(language: str, message: str) -> None:
    assert result_of(message, language).priority not in URGENT


# More spirits count as alcohol: an older person on a benzodiazepine with sherry or port.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Grandad is 85, on lorazepam, and has a sherry or two before bed."),
        ("es", "Mi abuela toma lorazepam y una copita de jerez cada noche."),
        ("fr", "Mon grand-père prend du lorazépam avec un verre de porto le soir."),
    ],
)
def test_a_benzodiazepine_with_sherry_or_port_is_benzo_with_alcohol(
    language: str, message: str
) -> None:
    result = result_of(message, language, for_whom="someone_else")
    assert result.has("benzo_with_alcohol")


# A suicide attempt written as the clinicians' abbreviation, weeks ago: P0 (past 3 months).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Patiente hospitalisée le mois dernier après une TS par phlébotomie, je l'adresse."),
        ("it", "Paziente dimesso due settimane fa dopo un TS farmacologico."),
    ],
)
def test_an_attempt_abbreviated_weeks_ago_is_p0(language: str, message: str) -> None:
    assert result_of(message, language, for_whom="professional").priority is P0
