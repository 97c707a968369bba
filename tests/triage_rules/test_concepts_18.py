"""The concepts changed in engine 1.8.0, one test per concept, in the five languages.

Every message is written for the test (none is copied from a blind round): the point is that
the concept, not a phrase, is recognised. See docs/triage.md ("Blind round 11").
"""

from __future__ import annotations

import pytest

from tests.triage_rules.scoring import P0, P1, ROUTINE, URGENT, result_of


# VIOLENCE with now (or as they write): an assault happening is someone in danger now (P0).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Right now my uncle is beating my aunt in the hallway, the twins are upstairs."),
        ("en", "As I write this I can hear thuds and screams from the flat below."),
        ("es", "Ahora mismo mi padrastro le está dando una paliza a mi madre."),
        ("es", "En este momento escucho golpes y chillidos en el piso de arriba."),
        ("de", "Jetzt gerade schlägt mein Stiefvater meine Mutter, ich bin im Flur."),
        ("de", "In diesem Moment höre ich Gepolter und Hilferufe aus der Wohnung über mir."),
        ("fr", "En ce moment même, j'entends des coups et des hurlements chez mes voisins."),
        ("fr", "Il est en train de la frapper maintenant, je ne sais pas quoi faire."),
        ("it", "Proprio ora sento tonfi e urla dall'appartamento di sopra."),
        ("it", "Adesso il mio patrigno la sta prendendo a calci in cucina."),
    ],
)
def test_an_assault_happening_now_is_someone_in_danger(language: str, message: str) -> None:
    result = result_of(message, language, for_whom="someone_else")
    assert result.priority is P0
    assert result.has("someone_in_danger")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My father used to beat us when I was small, now I drink too much myself."),
        ("en", "The withdrawal is really hitting me right now, I want a proper detox."),
        ("en", "My manager let me go today and I have been drinking more since."),
        ("es", "Mi padre nos pegaba de pequeños y ahora yo bebo demasiado."),
        ("de", "Mein Vater hat uns früher geschlagen, heute trinke ich selbst zu viel."),
        ("fr", "Mon père nous frappait quand on était petits, aujourd'hui c'est moi qui bois."),
        ("it", "Mio padre ci picchiava da piccoli, oggi sono io che bevo troppo."),
    ],
)
def test_violence_told_as_the_past_or_an_idiom_stays_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# ALONE-WITH and INTOXICATED: a drunk or high carer alone with a baby or small children (P0).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My brother is off his face on something and he's on his own with his toddler."),
        ("es", "Mi cuñada está colocada y se ha quedado sola con sus dos peques."),
        ("de", "Meine Nachbarin ist sturzbetrunken und allein mit ihren Kindern."),
        ("fr", "Mon frère est complètement bourré et il est seul avec son fils de deux ans."),
        ("it", "Mia sorella è strafatta ed è da sola con la bimba di un anno."),
    ],
)
def test_an_intoxicated_carer_alone_with_a_small_child_is_p0(language: str, message: str) -> None:
    result = result_of(message, language, for_whom="someone_else")
    assert result.priority is P0
    assert result.has("someone_in_danger")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "I am alone with my three kids most evenings and drink a bottle of wine every night.",
        ),
        ("es", "Estoy sola con mis hijos y bebo cada noche, necesito ayuda."),
        ("de", "Ich bin oft allein mit den Kindern und trinke jeden Abend zu viel."),
        ("fr", "Je suis seule avec mes enfants et je bois trop le soir depuis des années."),
        ("it", "Sono sola con i bambini e la sera bevo troppo, vorrei un aiuto."),
    ],
)
def test_a_carer_telling_a_drinking_habit_stays_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# TRIED + INTENT: an attempt told as trying to end their life, however far apart the words;
# in the past 3 months it is P0, years ago a past attempt (P1) and never a plan now.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "A month ago I tried, with my sleeping pills and half a bottle of gin, to end my life.",
        ),
        ("es", "Hace tres semanas mi hijo intentó, con pastillas y ron, quitarse la vida."),
        (
            "de",
            "Vor zwei Wochen hat sie versucht, sich mit ihren "
            "Schlaftabletten und Wein das Leben zu nehmen.",
        ),
        (
            "fr",
            "Il y a un mois, j'ai essayé avec des somnifères et du "
            "whisky de mettre fin à mes jours.",
        ),
        ("it", "Un mese fa ho tentato con le gocce e la grappa di togliermi la vita."),
    ],
)
def test_an_attempt_told_with_words_between_is_a_recent_attempt(
    language: str, message: str
) -> None:
    result = result_of(message, language)
    assert result.priority is P0
    assert result.has("recent_attempt")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Seven years ago I tried, with pills and vodka, to end my life. Now I drink again."),
        (
            "es",
            "Hace siete años intenté, con pastillas y ron, quitarme la vida. Ahora bebo otra vez.",
        ),
        (
            "de",
            "Vor sieben Jahren habe ich versucht, mir mit Tabletten und Wodka das Leben zu nehmen.",
        ),
        (
            "fr",
            "Il y a sept ans, j'ai essayé avec des cachets et du vin de "
            "me tuer. Je bois de nouveau.",
        ),
        ("it", "Sette anni fa ho tentato con le pastiglie e il vino di togliermi la vita."),
    ],
)
def test_an_attempt_years_ago_is_a_past_attempt_not_a_plan(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority is P1
    assert result.has("past_attempt")
    assert not result.has("suicidal_plan")


def test_trying_to_stop_drinking_is_no_attempt() -> None:
    for language, message in (
        ("en", "I tried everything to stop drinking and nothing works."),
        ("es", "Intenté dejar de beber muchas veces, ¿tienen plazas?"),
        ("de", "Ich habe versucht, weniger zu trinken, aber es klappt nicht."),
        ("fr", "J'ai essayé d'arrêter de boire plusieurs fois, quels sont vos tarifs ?"),
        ("it", "Ho provato a smettere di bere tante volte, quanto costa il percorso?"),
    ):
        assert str(result_of(message, language).priority) in ROUTINE, message


# LAST-DOSE and DAYS-AGO: the last benzodiazepine taken yesterday is a stop just made (P1).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I swallowed my very last Klonopin the day before yesterday, after four years."),
        ("es", "Anteayer me tomé mi último Trankimazin, lo tomaba a diario desde hace años."),
        ("de", "Vorgestern habe ich meine allerletzte Tablette Lorazepam eingenommen."),
        ("fr", "Avant-hier j'ai avalé mon dernier comprimé de Xanax, j'en prenais tous les jours."),
        ("it", "L'altro ieri ho preso l'ultima compressa di Lexotan, la prendevo ogni sera."),
    ],
)
def test_the_last_benzodiazepine_taken_yesterday_is_a_recent_stop(
    language: str, message: str
) -> None:
    result = result_of(message, language)
    assert result.priority in URGENT
    assert result.has("abrupt_stop")


# WITHOUT + FROM-NOW: doing without the benzodiazepine from a set day is a sudden stop (P1);
# doing without alcohol is not.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Starting Monday I'll manage without them, I've had diazepam daily for years."),
        ("es", "A partir del lunes quiero pasar sin ellas; tomo lorazepam cada noche."),
        ("de", "Ab Montag will ich ohne Tabletten auskommen, ich nehme seit Jahren Diazepam."),
        ("fr", "Dès demain je veux me passer de mon Temesta, j'en prends chaque soir."),
        ("it", "Da domani voglio farne a meno, prendo il Tavor tutte le sere da anni."),
    ],
)
def test_doing_without_a_benzodiazepine_from_a_set_day_is_a_sudden_stop(
    language: str, message: str
) -> None:
    result = result_of(message, language)
    assert result.priority in URGENT
    assert result.has("abrupt_stop")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Ab Montag möchte ich ohne Alkohol leben, ich nehme auch Tavor bei Bedarf."),
        ("fr", "À partir de lundi je veux vivre sans alcool, je prends du Lexomil au besoin."),
        ("it", "Da lunedì voglio stare senza alcol, prendo anche lo Xanax al bisogno."),
    ],
)
def test_doing_without_alcohol_is_no_benzodiazepine_stop(language: str, message: str) -> None:
    assert not result_of(message, language).has("abrupt_stop")


# DELIRIUM signs: vermin seen in the present tense, not knowing where one lives; a stopped
# treatment with confusion about someone else ("il" in French is another person).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Grandad quit his pills on Sunday; he keeps seeing ants on the ceiling."),
        ("es", "Mi abuelo dejó la medicación el domingo y ahora dice que ve hormigas en el techo."),
        ("de", "Opa hat seine Tabletten am Sonntag abgesetzt und sieht Ameisen an der Decke."),
        ("fr", "Mon grand-père a arrêté ses cachets dimanche, il dit voir des fourmis au plafond."),
        ("it", "Il nonno ha sospeso la terapia domenica e dice di vedere formiche sul soffitto."),
    ],
)
def test_vermin_seen_now_after_a_stop_is_confusion_now(language: str, message: str) -> None:
    result = result_of(message, language, for_whom="someone_else")
    assert result.priority is P0
    assert result.has("confusion")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My patient is very confused this morning and did not know where he lived."),
        ("es", "Mi paciente está muy confundido hoy y no sabía dónde vivía."),
        ("de", "Mein Patient ist heute völlig verwirrt und wusste nicht, wo er wohnt."),
        ("fr", "Mon patient est très confus ce matin : il ne savait plus où il habitait."),
        ("it", "Il mio paziente è molto confuso oggi e non sapeva dove abitava."),
    ],
)
def test_not_knowing_where_one_lives_is_confusion(language: str, message: str) -> None:
    assert result_of(message, language, for_whom="professional").priority is P0


def test_french_il_is_another_person_but_italian_il_is_an_article() -> None:
    # "il est très confus" is said of someone else: delirium to act on now.
    assert result_of("Depuis hier soir il est très confus.", "fr").priority is P0
    # "il" before a noun (Italian article) is no person: confused about the fees stays routine.
    assert str(result_of("Sono confuso sul prezzo, il modulo non è chiaro.", "it").priority) in (
        ROUTINE
    )


# An idiom must never swallow the time word after it ("me mato a" + "ahora").
def test_an_idiom_does_not_eat_the_word_after_it() -> None:
    result = result_of("ya no puedo, voy a matarme ahora, tengo el cuchillo aquí", "es")
    assert result.priority is P0
    assert str(result_of("Me mato a trabajar y bebo demasiado.", "es").priority) in ROUTINE


# Neighbouring wordings of the same signals (written for the test, not from any round).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My neighbour is strangling his wife, I can hear her choking through the wall now."),
        ("es", "Mi vecino está estrangulando a su mujer, ahora mismo la oigo ahogarse."),
        ("de", "Mein Nachbar würgt gerade seine Frau, ich höre sie durch die Wand."),
        ("fr", "Mon voisin étrangle sa femme en ce moment, je l'entends suffoquer."),
        ("it", "Il mio vicino sta strangolando la moglie, la sento soffocare adesso."),
    ],
)
def test_strangling_now_is_someone_in_danger(language: str, message: str) -> None:
    assert result_of(message, language, for_whom="someone_else").has("someone_in_danger")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Mum passed out drunk on the sofa and my 2 year old sister is alone with her."),
        ("es", "Mi hermana va borracha perdida y su bebé de un año está solo con ella."),
        ("de", "Meine Schwester ist total betrunken, das Baby ist allein bei ihr."),
        ("fr", "Ma soeur est ivre morte, elle dort et son bébé de 8 mois est seul avec elle."),
        ("it", "Mia sorella è ubriaca fradicia e il bambino di un anno è solo con lei."),
    ],
)
def test_the_child_alone_with_an_intoxicated_carer_is_p0(language: str, message: str) -> None:
    result = result_of(message, language, for_whom="someone_else")
    assert result.priority is P0
    assert result.has("someone_in_danger")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Dad stopped drinking 3 days ago and now he thinks it's 1985."),
        ("es", "Mi padre dejó de beber hace tres días y está cogiendo cosas en el aire."),
        (
            "de",
            "Papa hat vor drei Tagen aufgehört zu trinken und zupft jetzt an Dingen in der Luft.",
        ),
        (
            "fr",
            "Mon père a arrêté de boire il y a trois jours et il attrape des choses dans le vide.",
        ),
        ("it", "Mio padre ha smesso di bere tre giorni fa e ora afferra cose nell'aria."),
    ],
)
def test_disoriented_in_time_or_picking_at_the_air_is_confusion(
    language: str, message: str
) -> None:
    assert result_of(message, language, for_whom="someone_else").priority is P0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I flushed all my diazepam down the toilet this morning, I took it daily."),
        ("es", "Esta mañana tiré todo el Orfidal a la basura, lo tomaba cada día."),
        ("de", "Heute früh habe ich alle Tavor ins Klo gespült, ich nahm sie täglich."),
        ("fr", "Ce matin j'ai jeté tout mon Xanax à la poubelle, j'en prenais tous les jours."),
        ("it", "Stamattina ho buttato tutto lo Xanax nel cestino, lo prendevo ogni giorno."),
    ],
)
def test_a_benzodiazepine_thrown_away_today_is_a_sudden_stop(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority in URGENT
    assert result.has("abrupt_stop")


def test_a_neighbouring_wording_of_an_attempt_with_painkillers_is_recent() -> None:
    result = result_of("Last month I attempted to end it all with my husband's painkillers.", "en")
    assert result.priority is P0
    assert result.has("recent_attempt")
