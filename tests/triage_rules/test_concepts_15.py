"""The concepts changed in engine 1.5.0, one test per concept, in the languages where it exists.

Every message here is written for the test (none is copied from a blind round): the point is
that the concept, not a phrase, is recognised. See docs/triage.md ("Blind round 8").
"""

from __future__ import annotations

import pytest

from intake.triage.rules.concepts import decide
from intake.triage.rules.engine import _concept_reader, _scanner
from tests.triage_rules.scoring import P0, P1, P2, codes_of, priority_of


# A RATE is no DATE: "once every few seconds" counts breaths, it does not say "once, long ago".
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Mon frère respire très lentement, une fois par quinze secondes, il est tout gris."),
        ("de", "Mein Vater atmet ganz langsam, einmal pro halbe Minute, die Lippen sind blau."),
        ("es", "Mi hermana respira muy despacio, una vez cada quince segundos, y está gris."),
        ("it", "Mio zio respira lentissimo, una volta ogni venti secondi, ha le labbra blu."),
    ],
)
def test_breaths_counted_once_per_interval_are_danger_now(language: str, message: str) -> None:
    assert priority_of(message, language, for_whom="someone_else") is P0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Une fois, il y a des années, j'ai fait une overdose. Je veux arrêter de boire."),
        (
            "de",
            "Ich hatte einmal vor vielen Jahren eine Überdosis. Jetzt will ich weniger trinken.",
        ),
    ],
)
def test_once_as_a_date_still_reads_as_history(language: str, message: str) -> None:
    assert priority_of(message, language) is P2


# THE SAFETY NET: a danger row that dating lowered below P1 no longer hides its sentence.
def _netcodes_of(message: str, language: str, someone_else: bool) -> set[str]:
    reader, scanner = _concept_reader(), _scanner()
    findings = scanner.scan(message)
    segments = reader.find(findings, scanner, message, language)
    flags = decide(
        segments, scanner=scanner, findings=findings, benzo=False, someone_else=someone_else
    )
    return {f.code for f in flags}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Back then my flatmate was breathing very slowly and her lips went grey."),
        ("fr", "Autrefois mon coloc respirait très lentement, les lèvres grises."),
        ("de", "Damals hat meine Mitbewohnerin ganz langsam geatmet, die Lippen blau."),
    ],
)
def test_a_danger_sign_about_someone_else_never_ends_below_p1(language: str, message: str) -> None:
    # Even when a date cue (right or wrong) turns the sign into history, the inquiry is read
    # today: someone writing about another person's breathing is usually watching it now.
    codes = _netcodes_of(message, language, someone_else=True)
    assert "possible_risk" in codes or "breathing" in codes


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My brother is lying there breathing really slowly. I think he injected something."),
        ("fr", "Mon ami respire vraiment lentement. Je pense qu'il a pris quelque chose."),
        ("es", "Mi novio respira muy lento. Creo que se ha tomado algo."),
    ],
)
def test_a_body_sign_and_something_taken_in_the_next_sentence_is_urgent(
    language: str, message: str
) -> None:
    assert priority_of(message, language, for_whom="someone_else") <= P1


# BETTER + DEAD: "it would be better to be dead" is the ASQ's first item in the writer's words.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Lately I keep feeling I'd be better dead. I have no plan."),
        ("de", "Manchmal finde ich, tot wäre ich besser dran. Ich trinke jeden Abend."),
        ("es", "Pienso a menudo que estaría mejor muerta. Bebo demasiado."),
        ("fr", "Je me dis souvent que je serais mieux mort. Je bois trop."),
        ("it", "Penso spesso che sarebbe meglio essere morto. Bevo troppo."),
    ],
)
def test_better_dead_is_a_death_wish(language: str, message: str) -> None:
    assert "death_wish" in codes_of(message, language)
    assert priority_of(message, language) <= P1


def test_dead_alone_is_no_death_wish() -> None:
    assert "death_wish" not in codes_of("My phone battery is dead, please email me.", "en")


# ABOUT: fiction and clinical protocols are subjects, not reports of the writer's own use.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "For my novel, one character mixes methadone and Valium. Is that realistic?"),
        ("de", "Für ein Drehbuch: eine Figur nimmt Heroin und Xanax. Wie läuft die Aufnahme ab?"),
        ("es", "Escribo una novela: un personaje toma heroína con Xanax. ¿Cómo es el ingreso?"),
        (
            "fr",
            "Pour un scénario, un personnage prend de l'héroïne et du Xanax. Ça se passe comment?",
        ),
        ("it", "Nel mio romanzo un personaggio prende eroina e Xanax. Come funziona il ricovero?"),
    ],
)
def test_fiction_about_a_character_is_not_raised(language: str, message: str) -> None:
    assert priority_of(message, language) >= P2


@pytest.mark.parametrize(
    ("language", "message", "for_whom"),
    [
        (
            "en",
            "Which protocol do you follow for alcohol withdrawal: oxazepam tapering?",
            "professional",
        ),
        (
            "de",
            "Welches Protokoll nutzen Sie beim Alkoholentzug, Diazepam nach Schema?",
            "professional",
        ),
    ],
)
def test_a_professional_asking_about_a_protocol_is_not_raised(
    language: str, message: str, for_whom: str
) -> None:
    assert priority_of(message, language, for_whom=for_whom) >= P2


def test_protocol_words_do_not_hide_own_use() -> None:
    message = "My detox protocol says diazepam, but I still drink a bottle of wine with it daily."
    assert priority_of(message, "en") <= P1


# A DRUG NAME HEADING A GERMAN COMPOUND still names the drug.
@pytest.mark.parametrize(
    "message",
    [
        "Ich bin in der Methadonambulanz und nehme nebenbei Alprazolam, das weiß keiner.",
        "Seit dem Methadonprogramm kaufe ich mir zusätzlich Lorazepam.",
    ],
)
def test_an_opioid_compound_with_a_benzodiazepine_is_p1(message: str) -> None:
    assert "benzo_with_opioids" in codes_of(message, "de")


# "ALREADY" / "ONCE" ARE NO DATE: the writer's own danger sign with them is not history.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "J'ai déjà les lèvres bleues et je respire très lentement après les cachets."),
        ("it", "Ho già le labbra blu e respiro lentissimo dopo le gocce."),
    ],
)
def test_the_writers_danger_sign_with_already_stays_urgent(language: str, message: str) -> None:
    assert priority_of(message, language) <= P1


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I overdosed years ago and stopped breathing; now I want to quit drinking."),
        ("fr", "Il y a trois ans, j'ai fait une overdose, je respirais à peine."),
    ],
)
def test_the_writers_danger_sign_with_a_real_date_is_history(language: str, message: str) -> None:
    assert priority_of(message, language) is P2


# BREATHING told in the first person or the past tense, not only "he/she breathes".
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Seit den Tropfen atme ich so flach, mir ist ganz schwindelig."),
        ("es", "Desde las pastillas respiro muy despacio y me duermo."),
        ("it", "Dopo le gocce respiravo lentissimo, adesso è uguale."),
        ("fr", "Depuis les cachets mon père respirait à peine, il est toujours pareil."),
    ],
)
def test_slow_breathing_in_the_first_person_or_past_tense_is_danger(
    language: str, message: str
) -> None:
    assert priority_of(message, language) is P0


def test_breathing_a_little_better_is_no_danger() -> None:
    assert priority_of("Respiro un poco mejor desde que dejé de fumar.", "es") is P2
