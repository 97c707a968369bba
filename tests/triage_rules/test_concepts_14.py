"""The concepts added in engine 1.4.0, one test per concept, in all five languages.

Every message here is written for the test (none is copied from a blind round): the point is
that the concept, not a phrase, is recognised. See docs/triage.md ("Concepts", 1.4.0).
"""

from __future__ import annotations

import pytest

from tests.triage_rules.scoring import P0, P1, P2, codes_of, priority_of


# GOODBYE + ARRANGED / LETHAL PLACE: a goodbye said, letters left out, standing where one dies
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Texted my dad goodbye an hour ago. The envelope for my partner is in the drawer."),
        ("de", "Ich habe mich von allen verabschiedet, der Abschiedsbrief liegt auf dem Tisch."),
        ("es", "Ya me despedí de mi familia por mensaje. La nota está en el escritorio."),
        ("fr", "J'ai fait mes adieux à ma mère. La lettre est sur le bureau."),
        ("it", "Ho detto addio a mio padre. La lettera per lui è sul tavolo."),
    ],
)
def test_a_goodbye_with_letters_left_out_is_a_plan(language: str, message: str) -> None:
    assert priority_of(message, language) is P0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I'm standing on the edge of the bridge over the river. I wrote a note to my son."),
        ("de", "Ich sitze auf dem Dach am Geländer. Briefe an meine Eltern habe ich geschrieben."),
        ("es", "Estoy en el borde del puente. He dejado una carta para mis hijos."),
        ("fr", "Je suis assise au bord du toit. J'ai laissé une lettre à mes parents."),
        ("it", "Sono sul bordo del ponte. Ho lasciato una lettera per i miei figli."),
    ],
)
def test_a_lethal_place_with_a_final_act_is_a_plan(language: str, message: str) -> None:
    assert priority_of(message, language) is P0


# ARRANGED by logistics + BURDEN: debts paid, accounts deleted, a pet handed over
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Paid back everyone I owed and deleted my social media. Nobody has to carry me "
               "anymore, I won't be a burden."),
        ("de", "Die Schulden sind abbezahlt, mein Instagram gelöscht. Ich will niemandem mehr "
               "zur Last fallen."),
        ("es", "He saldado mis deudas y he cerrado mis redes. No quiero ser una carga."),
        ("fr", "J'ai remboursé mes dettes et supprimé mes comptes. Je ne veux plus être un "
               "fardeau."),
        ("it", "Ho saldato i debiti e cancellato il mio profilo. Non voglio essere un peso."),
    ],
)  # fmt: skip
def test_affairs_put_in_order_with_being_a_burden_is_a_plan(language: str, message: str) -> None:
    assert priority_of(message, language) is P0


# NOT-HERE + BETTER: "better off without me" (ASQ item 2) in free text
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Honestly my parents would have an easier life if I wasn't around."),
        ("de", "Für meine Familie wäre es leichter, wenn es mich nicht mehr gäbe."),
        ("es", "A veces pienso que mis padres vivirían mejor si yo no existiera."),
        ("fr", "Je pense que ce serait mieux pour mes enfants si je disparaissais."),
        ("it", "Penso che per mia moglie sarebbe più semplice se io non ci fossi."),
    ],
)
def test_better_off_without_me_is_at_least_p1(language: str, message: str) -> None:
    assert priority_of(message, language) in (P0, P1)


# LIVE + a negation + a wish: "does not want to live"
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My brother keeps telling me he doesn't want to live anymore."),
        ("de", "Meine Schwester sagt, sie möchte nicht mehr leben."),
        ("es", "Mi hijo dice que ya no quiere vivir."),
        ("fr", "Mon frère dit qu'il ne veut plus vivre."),
        ("it", "Mia figlia dice che non vuole più vivere."),
    ],
)
def test_not_wanting_to_live_is_a_death_wish(language: str, message: str) -> None:
    assert "death_wish" in codes_of(message, language)


# INGESTION + QUANTITY + a final act: pills taken and a letter written
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I swallowed the whole packet of paracetamol. I've written a note for my sister."),
        ("de", "Ich habe sämtliche Tabletten eingenommen. Der Brief an meine Mutter liegt im "
               "Flur auf dem Tisch."),
        ("es", "Me he tomado todas las pastillas. Dejé una carta para mi hermana."),
        ("fr", "J'ai avalé toute la boîte. J'ai écrit une lettre pour ma soeur."),
        ("it", "Ho preso tutte le pastiglie. Ho scritto una lettera per mia sorella."),
    ],
)  # fmt: skip
def test_pills_taken_with_a_final_act_are_an_attempt(language: str, message: str) -> None:
    assert priority_of(message, language) is P0


# BREATH-HARD + a sedative: difficult breathing after taking something
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Had some oxycodone with my diazepam and now I'm struggling to breathe."),
        ("de", "Nach dem Tilidin und dem Wodka bekomme ich kaum Luft."),
        ("es", "Tomé metadona con alcohol y me cuesta mucho respirar."),
        ("fr", "J'ai pris de la codéine avec de l'alcool et j'ai du mal à respirer."),
        ("it", "Ho preso il metadone con la grappa e faccio fatica a respirare."),
    ],
)
def test_hard_breathing_after_a_sedative_is_p0(language: str, message: str) -> None:
    assert priority_of(message, language) is P0


def test_hard_breathing_without_a_substance_is_not_p0() -> None:
    assert priority_of("When I get panic attacks I struggle to breathe.", "en") is not P0


# WEAPON + HIDING: someone else in danger now
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My stepdad is waving a hammer around. Me and my sister are locked in the "
               "bathroom."),
        ("de", "Mein Mann hat ein Messer in der Hand, ich habe mich mit dem Baby im Bad "
               "eingeschlossen."),
        ("es", "Mi pareja tiene un machete, estamos escondidos en el baño."),
        ("fr", "Il menace de nous tuer, je suis enfermée dans la chambre avec mon fils."),
        ("it", "Mio marito minaccia di ammazzarci, sono chiusa in camera con mia figlia."),
    ],
)  # fmt: skip
def test_a_weapon_and_someone_hiding_is_danger_to_others(language: str, message: str) -> None:
    assert "someone_in_danger" in codes_of(message, language)


# INTOXICATED by its signs + driving + children
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My dad is slurring and can hardly walk, and he wants to drive my little "
               "brother to football."),
        ("de", "Mein Vater lallt und kann kaum stehen, er will die Geschwister mit dem Auto "
               "abholen."),
        ("es", "Mi madre no se tiene en pie y quiere llevar a mis hermanitos en el coche."),
        ("fr", "Mon père tient à peine debout et veut conduire la voiture avec mes petits "
               "frères."),
        ("it", "Mio padre non sta in piedi e vuole guidare la macchina con i fratellini."),
    ],
)  # fmt: skip
def test_visibly_drunk_about_to_drive_children_is_p0(language: str, message: str) -> None:
    assert priority_of(message, language, for_whom="someone_else") is P0


# CONFUSION: voices with nobody there, not knowing the day
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Since stopping his clonazepam he hears talking when there is nobody in the flat."),
        ("de", "Seit dem Absetzen hört sie Musik, obwohl niemand da ist."),
        ("es", "Desde que dejó el lorazepam oye a gente hablar y no hay nadie en casa."),
        ("fr", "Depuis l'arrêt du Xanax il ne sait plus quel jour on est."),
        ("it", "Da quando ha smesso il Tavor sente parlare ma non c'è nessuno."),
    ],
)
def test_hallucinations_told_by_their_signs_are_p0(language: str, message: str) -> None:
    assert priority_of(message, language) is P0


# RUNNING OUT / DOCTOR AWAY with a benzodiazepine
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My clonazepam runs out next week and my psychiatrist has retired."),
        ("de", "Mein Lorazepam reicht nur noch bis Montag, und der Arzt ist im Ruhestand."),
        ("es", "El diazepam me alcanza para dos días y mi médico se jubiló."),
        ("fr", "Il me reste du Xanax pour trois jours et mon médecin est parti à la retraite."),
        ("it", "Ho le ultime tre compresse di Tavor e il medico è andato in pensione."),
    ],
)
def test_a_benzodiazepine_running_out_is_p1(language: str, message: str) -> None:
    assert "abrupt_stop" in codes_of(message, language)


# STREET BENZO + alcohol: a street name counts only with a number or with taking it
def test_a_street_benzo_name_with_alcohol_is_p1() -> None:
    message = "Most weekends I pop a couple of bars and then drink cider with my mates."
    assert priority_of(message, "en") is P1


def test_bars_as_places_stay_routine() -> None:
    message = "I work behind the bar in two bars and drink too much after my shifts."
    assert priority_of(message, "en") is P2


# FUNCTION WORDS: a German "falls" (if) is not an English fall
def test_a_german_if_is_not_a_fall() -> None:
    message = "Ich trinke jeden Abend Wein, falls das wichtig ist. Ich möchte Beratung."
    assert priority_of(message, "de") is P2


# The subject guard: essays, leaflets, teaching and support questions stay routine
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "For a poster in our health class we list the signs of an overdose: slow "
               "breathing, blue lips, not waking. Can we use your helpline number?"),
        ("en", "What are the warning signs that a colleague might be thinking about suicide?"),
        ("de", "Ich bin Journalistin und schreibe über Überdosierungen mit Benzos und Alkohol."),
        ("es", "Preparo un folleto sobre el suicidio en jóvenes para el instituto."),
        ("fr", "Je suis journaliste et je prépare un reportage sur les surdoses d'opioïdes."),
        ("it", "Sto scrivendo un articolo sui rischi del mix tra benzodiazepine e alcol."),
    ],
)  # fmt: skip
def test_writing_or_asking_about_a_subject_is_not_raised(language: str, message: str) -> None:
    assert priority_of(message, language) not in (P0, P1)


def test_a_teacher_reporting_a_pupil_is_still_read() -> None:
    message = (
        "I'm a teacher. In her homework one pupil wrote that she thinks about suicide every "
        "night. What should we do?"
    )
    assert priority_of(message, "en", for_whom="professional") in (P0, P1)


def test_a_leaflet_quoted_and_denied_is_not_raised() -> None:
    message = (
        "I'm on diazepam for my back. The leaflet says 'suicidal thoughts' can happen; I have "
        "never had any. Can I join a group?"
    )
    assert "suicidal_thoughts" not in codes_of(message, "en")


# Dated attempts: the words about dying belong to the old attempt
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I tried to kill myself twenty years ago, I'm fine now and want to stop drinking."),
        ("es", "Intenté quitarme la vida hace veinte años; ahora estoy bien."),
    ],
)
def test_an_attempt_long_ago_is_not_p0(language: str, message: str) -> None:
    # ASQ item 4 ("ever tried") keeps it at P1 (TRIAGE.md); it is not an attempt now.
    assert priority_of(message, language) is P1


# Fuzzy matching only against the listed words: a correct word is not another's inflection
def test_a_correct_english_word_is_not_a_misspelt_french_form() -> None:
    message = "What are the prices for 28 days, and the location? The drive would kill me."
    assert priority_of(message, "en") not in (P0, P1)


# Postposed negation in German: "Alkohol trinke ich keinen"
def test_german_negation_after_the_verb() -> None:
    message = "Ich nehme Lorazepam bei Bedarf. Alkohol trinke ich keinen. Ich möchte Beratung."
    assert "benzo_with_alcohol" not in codes_of(message, "de", substances=["lorazepam"])
