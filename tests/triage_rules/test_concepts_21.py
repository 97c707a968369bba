"""The concepts changed in engine 1.11.0, one test per concept, in the five languages.

Every message is written for the test (none is copied from a blind round): the point is that
the concept, not a phrase, is recognised, and that its routine look-alikes stay routine. See
docs/triage.md ("After the fix: engine 1.11.0").
"""

from __future__ import annotations

import pytest

from tests.triage_rules.scoring import P0, ROUTINE, URGENT, result_of


# RESOLVED: a decision told as settled, or the calm after it, the moment come, with a time now
# and a final act (letters, everything ready, not their fault): a plan told by euphemism.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My mind is made up and the letters for my brothers are in the drawer. Saturday "
               "night, once the flat is empty."),
        ("en", "For the first time in years I feel calm. Everything is sorted for tonight, tell "
               "my mum it's not her fault."),
        ("es", "Ya lo tengo decidido y he dejado una carta para mis hijos en el cajón. Será esta "
               "noche."),
        ("es", "Por primera vez en años me siento en paz. Mañana por la mañana, cuando se vaya mi "
               "mujer, está todo arreglado."),
        ("de", "Morgen früh ist es so weit. Die Wohnung ist gekündigt und die Briefe an meine "
               "Eltern liegen im Schrank."),
        ("de", "Meine Entscheidung steht fest, heute Nacht. Es ist nicht eure Schuld."),
        ("fr", "Ma décision est prise, ce sera ce soir. J'ai écrit une lettre à mon frère, elle "
               "est sur le bureau."),
        ("fr", "Pour la première fois depuis des mois je me sens apaisé. Demain matin, tout est "
               "réglé."),
        ("it", "La mia decisione è presa, domani sera. Ho lasciato una lettera per mia figlia sul "
               "tavolo."),
        ("it", "È arrivato il momento, stanotte. Ho sistemato tutto e ho scritto a mio fratello."),
    ],
)  # fmt: skip
def test_a_settled_decision_with_a_time_and_a_final_act_is_a_plan(
    language: str, message: str
) -> None:
    result = result_of(message, language)
    assert result.priority is P0
    assert result.has("suicidal_plan")


# A decision to quit, to get help or to tell the family is a plan to recover.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My mind is made up: from tonight I'm going to stop drinking, and I've told my "
               "family."),
        ("en", "The time has come to ask for help. Tonight I'll tell my wife, I've written her a "
               "letter about my drinking."),
        ("en", "My mind is made up, I'm going to rehab tomorrow. Everything is sorted with work."),
        ("en", "I feel calm for the first time in years since I joined the group. Tonight I go to "
               "my meeting."),
        ("es", "Ya lo tengo decidido, desde esta noche dejo la cerveza. Por primera vez en meses "
               "me siento en paz."),
        ("es", "Ha llegado el momento de pedir ayuda. Esta noche se lo digo a mi mujer, ya le he "
               "escrito una carta."),
        ("de", "Heute Abend ist es so weit, ich gehe zur ersten Gruppe. Meine Entscheidung steht "
               "fest."),
        ("de", "Meine Entscheidung steht fest, morgen gehe ich zum Entzug. Alles ist geregelt."),
        ("fr", "Ma décision est prise : dès ce soir j'arrête l'alcool. J'ai tout réglé avec mon "
               "employeur."),
        ("fr", "Le moment est venu, ce soir je parle à ma femme. J'ai écrit une lettre pour lui "
               "expliquer."),
        ("it", "Ho deciso e sono calma: da stasera smetto con il vino. È arrivato il momento di "
               "chiedere aiuto."),
        ("it", "È arrivato il momento, stasera lo dico a mia moglie. Le ho scritto una lettera."),
    ],
)  # fmt: skip
def test_a_decision_to_quit_or_to_get_help_stays_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


@pytest.mark.parametrize(
    "message",
    [
        "Tomorrow I will call your office about the programme.",
        "Today is the day I finally ask for help with my drinking.",
        "Tonight I'm going to stop drinking.",
    ],
)
def test_a_day_and_a_future_tense_without_the_act_is_no_plan(message: str) -> None:
    # 1.10.0 read "tomorrow I will" alone as a plan (the act was optional in the phrase).
    assert str(result_of(message, "en").priority) in ROUTINE


@pytest.mark.parametrize(
    "message", ["Tonight is the night.", "Tonight I'm going to do it.", "Today is the day I die."]
)
def test_a_day_with_the_act_or_alone_is_still_a_plan(message: str) -> None:
    assert result_of(message, "en").priority is P0


# Pills already taken told with understatement: the rest of a supply finished (INGESTION +
# QUANTITY) and a way of dying compared with others (INTENT).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Just finished off the whole strip of my zopiclone with half a bottle of vodka, "
               "seemed less messy than the other ways."),
        ("es", "Me acabé la caja entera de lorazepam con vino hace un rato, me pareció más limpio "
               "que las otras opciones."),
        ("de", "Habe gerade die ganze Packung Tavor leer gemacht, mit Wodka. Das ist friedlicher "
               "als die anderen Möglichkeiten."),
        ("fr", "Je viens de finir toute la boîte de Stilnox avec du whisky, c'est plus propre "
               "que les autres moyens."),
        ("it", "Ho appena finito tutta la scatola di Tavor con il vino, più pulito delle altre "
               "opzioni."),
    ],
)  # fmt: skip
def test_a_supply_finished_as_a_tidier_way_is_an_attempt(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority is P0
    assert result.has("attempt_in_progress")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I finished the whole bottle of wine last night again and want to cut down; a "
               "group seemed easier than the other options."),
        ("en", "I finished the rest of the wine last night and felt guilty. I want to cut down."),
        ("es", "Me acabé el resto de la cena y quiero una opción más sencilla que las otras "
               "formas de tratamiento."),
        ("de", "Ich habe gestern den Rest der Flasche leer gemacht. Ich will weniger trinken."),
        ("fr", "J'ai fini la bouteille hier soir ; une cure me semble plus simple que les autres "
               "options."),
        ("it", "Ho finito il resto della bottiglia di vino ieri sera, vorrei bere meno."),
    ],
)  # fmt: skip
def test_a_bottle_finished_or_an_easier_treatment_stays_routine(
    language: str, message: str
) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# THREAT / ARMED: someone drunk or high threatening to kill people, or with a weapon taken up
# and going for someone: another person in danger now.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My stepdad is off his head on coke and says he's going to kill my mum. We're in "
               "the upstairs room."),
        ("en", "Her boyfriend is drunk and just grabbed a kitchen knife, screaming at her. I'm "
               "next door."),
        ("es", "Mi padre está borracho y dice que nos va a matar, ha sacado una navaja."),
        ("de", "Mein Mann ist stockbesoffen und droht, uns alle umzubringen. Er hat das "
               "Küchenmesser geholt."),
        ("fr", "Mon père est rentré ivre, il menace de nous tuer et il a pris un couteau."),
        ("it", "Mio padre è ubriaco e ha preso un coltello, grida che ci ammazza."),
    ],
)  # fmt: skip
def test_a_drunk_threat_or_weapon_against_people_is_p0(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority is P0
    assert result.has("someone_in_danger")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My husband was drunk last night and threatened to kill the dog. He's asleep now "
               "and I want him to get help."),
        ("en", "My brother gets drunk and yells that he'll kill the neighbours' cat. We want him "
               "to get help."),
        ("es", "Mi marido llegó borracho y dijo que iba a matar al perro. Quiero que haga un "
               "tratamiento."),
    ],
)  # fmt: skip
def test_a_drunk_threat_to_an_animal_is_not_p0(language: str, message: str) -> None:
    # An animal is not a person: at most "read this now" (P1) by the safety net.
    result = result_of(message, language)
    assert result.priority is not P0
    assert not result.has("someone_in_danger")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I chop onions with a big kitchen knife while I have a few beers; I'd like to cut "
               "down."),
        ("es", "Cuando bebo digo que voy a matar a mi jefe, es broma. Quiero dejar de beber."),
        ("de", "Als ich ein Kind war, kam mein Vater oft betrunken nach Hause und drohte, uns "
               "umzubringen. Heute trinke ich selbst zu viel."),
        ("fr", "Quand j'étais petite, mon père rentrait ivre et menaçait de nous tuer. "
               "Aujourd'hui c'est moi qui bois trop."),
        ("it", "Mio padre, quando ero piccolo, tornava ubriaco e urlava che ci ammazzava. Ora "
               "vorrei aiuto per me."),
    ],
)  # fmt: skip
def test_a_kitchen_knife_a_joke_or_a_childhood_memory_stays_routine(
    language: str, message: str
) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Mein Vater war betrunken und hat das Messer zum Brotschneiden geholt."),
        ("fr", "Mon frère a trop bu et a pris un couteau pour couper le gâteau."),
        ("it", "Mio marito era ubriaco e ha preso un coltello per tagliare il pane."),
    ],
)  # fmt: skip
def test_a_knife_taken_to_cut_bread_is_no_danger_to_others(language: str, message: str) -> None:
    # A weapon noun beside drink still reaches the safety net in these languages (documented).
    result = result_of(message, language)
    assert result.priority is not P0
    assert not result.has("someone_in_danger")


# ALONE-WITH: a baby or small child described by its age ("her eight month old baby").
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My daughter is alone with her two year old little boy and she's absolutely "
               "wasted, slurring on the phone."),
        ("es", "Mi hermano está solo con su hija de tres meses y va borracho perdido."),
        ("de", "Mein Bruder ist allein mit seinem zwei Jahre alten Sohn und total betrunken."),
        ("fr", "Ma fille est seule avec son bébé de six mois et elle est complètement ivre."),
        ("it", "Mia sorella è da sola con il suo bambino di pochi mesi ed è ubriaca fradicia."),
    ],
)  # fmt: skip
def test_drunk_alone_with_a_child_described_by_age_is_p0(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority is P0
    assert result.has("someone_in_danger")


# Seizure signs in other words, Swiss German included: fell over, twitched all over.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Geschter bin i eifach umgheit und ha am ganze Körper zuckt, sait mini Fründin. "
               "Sit vier Täg nimm i kei Xanax meh, vorher jede Tag."),
        ("en", "Last night I keeled over in the hall and was twitching all over, my flatmate "
               "said. I stopped my daily diazepam three days ago."),
        ("es", "Anoche me caí al suelo y me sacudía entero, dice mi pareja. Dejé el lorazepam "
               "hace tres días, lo tomaba a diario."),
        ("fr", "Hier soir je suis tombé et j'étais secoué de partout, d'après ma femme. J'ai "
               "arrêté le Xanax il y a trois jours."),
        ("it", "Ieri sera sono crollato a terra e tremavo tutto, dice mia moglie. Ho smesso il "
               "Tavor tre giorni fa, lo prendevo ogni giorno."),
    ],
)  # fmt: skip
def test_seizure_signs_after_stopping_a_benzodiazepine_are_p0(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority is P0
    assert result.has("seizure")


def test_a_fit_of_panic_is_no_seizure() -> None:
    message = "Am Wochenende hatte ich einen Anfall von Panik, ich trinke zu viel."
    assert str(result_of(message, "de").priority) in ROUTINE


# Withdrawal delirium in other words, Austrian dialect included: voices talking about them,
# not knowing the day.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Seit gestan hör i Stimmen de über mi redn, und i waß nimma welcher Tag heit is. "
               "Trink seit drei Tag nix mehr."),
        ("en", "Three days off the booze and since this morning I hear voices whispering about me "
               "in the stairwell."),
        ("es", "Desde que dejé de beber oigo voces que hablan de mí en el pasillo, y no sé en qué "
               "día estamos."),
        ("fr", "Depuis que j'ai arrêté l'alcool j'entends des voix qui parlent de moi dans la cage "
               "d'escalier."),
        ("it", "Da quando ho smesso di bere sento delle voci che parlano di me in corridoio."),
    ],
)  # fmt: skip
def test_voices_about_them_in_withdrawal_are_p0(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority is P0
    assert result.has("confusion")


def test_the_neighbours_voices_through_a_thin_wall_are_no_delirium() -> None:
    message = "Ich höre Stimmen von den Nachbarn über mir, die Wände sind dünn. Ich trinke zu viel."
    assert str(result_of(message, "de").priority) in ROUTINE


# RESCUED: found or saved in time after taking something: an attempt told without the word.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Three weeks ago I swallowed my dad's tablets and my flatmate found me in time. "
               "I still drink every day."),
        ("es", "El mes pasado me tomé las pastillas de mi abuela y mi novio me encontró a tiempo."),
        ("de", "Vor zwei Wochen habe ich die Tabletten meiner Mutter genommen, mein Bruder hat "
               "mich rechtzeitig gefunden."),
        ("fr", "Le mois dernier j'ai avalé les médicaments de mon père, ma soeur m'a trouvé à "
               "temps."),
        ("it", "Due settimane fa ho provato con le pastiglie di mio nonno, mi hanno trovato "
               "appena in tempo."),
    ],
)  # fmt: skip
def test_found_in_time_after_taking_something_is_a_recent_attempt(
    language: str, message: str
) -> None:
    result = result_of(message, language)
    assert result.priority is P0
    assert result.has("recent_attempt")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Ten years ago I tried with pills and my sister found me in time. Now I'm "
               "drinking again."),
        ("it", "Dieci anni fa ho provato con i farmaci, mi hanno trovato in tempo. Adesso bevo "
               "di nuovo."),
    ],
)  # fmt: skip
def test_found_in_time_years_ago_is_a_past_attempt(language: str, message: str) -> None:
    result = result_of(message, language)
    assert str(result.priority) == "P1"
    assert result.has("past_attempt")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I was late but my sister found me in time for the bus. Drinking is my problem."),
        ("es", "Llegué a tiempo a la cita con el médico. Quiero dejar el alcohol."),
        ("de", "Ich habe versucht aufzuhören, meine Ärztin hat rechtzeitig einen Platz gefunden."),
        ("fr", "J'ai essayé d'arrêter seul et mon médecin m'a trouvé une place à temps. Je "
               "voudrais un suivi."),
        ("it", "Ho provato a smettere, mi hanno trovato in tempo un posto in comunità."),
    ],
)  # fmt: skip
def test_found_in_time_for_a_bus_or_a_place_stays_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# NOT-HERE + BETTER: the family better off if I were out of the picture (ASQ item 2).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Sometimes I think my wife and son would be happier if I just wasn't around "
               "anymore. I drink every night."),
        ("es", "A veces pienso que mis hijos estarían mejor si yo no estuviera en sus vidas. "
               "Bebo cada noche."),
        ("de", "Manchmal denke ich, meine Familie hätte es leichter, wenn ich einfach nicht mehr "
               "in ihrem Leben wäre."),
        ("fr", "Parfois je me dis que mes enfants seraient mieux si je n'étais plus dans leur "
               "vie."),
        ("it", "A volte penso che i miei figli starebbero meglio se io non ci fossi più tra i "
               "piedi."),
    ],
)  # fmt: skip
def test_family_better_off_without_me_is_a_death_wish(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority in URGENT
    assert result.has("death_wish")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My kids would be better off if I wasn't drinking every night, so I want to stop."),
        ("en", "My kids would be better off if I got sober, that's why I'm writing."),
        ("en", "Things would be easier at home if I wasn't around the pub every night."),
        ("es", "Mis hijos estarían mejor si yo no bebiera tanto. Quiero ayuda."),
        ("de", "Meiner Familie ginge es besser, wenn ich nicht mehr so viel trinken würde."),
        ("fr", "Ma famille irait mieux si je n'étais plus tout le temps au bar."),
        ("it", "La mia famiglia starebbe meglio se io non fossi sempre al bar."),
    ],
)  # fmt: skip
def test_family_better_off_if_i_drank_less_stays_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# A stop planned for a set day: the supply to be flushed from tomorrow, the name a street name
# or misspelt, the drug named in another sentence.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("it", "Prendo lo xanas tre volte al giorno da anni. Da lunedì lo butto nel water e "
               "basta."),
        ("en", "I take two xans a day since my divorce. From tomorrow I'm flushing them down the "
               "toilet."),
        ("es", "Tomo trankimazines cada noche desde hace años. A partir de mañana los tiro por "
               "el váter."),
        ("de", "Ich nehme seit Jahren jeden Tag Tavor. Ab morgen werfe ich sie ins Klo."),
        ("fr", "Je prends du Xanax tous les soirs depuis trois ans. Dès demain je les jette dans "
               "les toilettes."),
    ],
)  # fmt: skip
def test_a_benzodiazepine_to_be_flushed_from_a_set_day_is_an_abrupt_stop(
    language: str, message: str
) -> None:
    result = result_of(message, language)
    assert result.priority in URGENT
    assert result.has("abrupt_stop")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I take Xanax from my doctor. From Monday my doctor is tapering me slowly."),
        ("it", "Prendo lo xanax dal medico. Da lunedì scalo piano piano con lui."),
    ],
)  # fmt: skip
def test_a_taper_with_the_doctor_stays_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# Work words, a way of life and stated absences: routine.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I'm a paramedic and I deal with overdoses every shift. No thoughts of harming "
               "myself, but I drink too much after nights."),
        ("en", "I'm a nurse and I see overdoses at work; I want help with my own wine habit."),
        ("es", "Soy enfermera de urgencias y atiendo sobredosis cada semana en el turno. Nunca he "
               "pensado en hacerme daño; bebo demasiado."),
        ("de", "Ich bin Rettungssanitäter und versorge Überdosen fast jede Schicht. Ich trinke zu "
               "viel nach dem Dienst."),
        ("fr", "Je suis infirmière aux urgences, je prends en charge des overdoses chaque "
               "semaine. Je bois trop le soir."),
        ("it", "Sono infermiere in pronto soccorso e tratto overdose ogni turno. Bevo troppo dopo "
               "il lavoro."),
    ],
)  # fmt: skip
def test_a_health_workers_overdoses_are_other_peoples(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I don't want to live like this any more, stoned every day. I've never thought "
               "about hurting myself."),
        ("es", "No quiero seguir viviendo de esta manera, siempre fumado. Nunca he pensado en "
               "quitarme la vida."),
        ("de", "Ich will so nicht mehr leben, jeden Tag bekifft. Ich habe nie daran gedacht, mir "
               "etwas anzutun."),
        ("fr", "Je ne veux plus vivre comme ça, défoncé tous les jours. Je n'ai jamais pensé à me "
               "faire du mal."),
        ("it", "Non voglio più vivere così, sempre fatto. Non ho mai pensato di farmi del male."),
    ],
)  # fmt: skip
def test_living_like_this_beside_a_clear_no_stays_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I don't want to live like this any more. I drink every day."),
        ("es", "No quiero seguir viviendo así, a veces pienso que sería mejor morirme."),
        ("fr", "Je ne veux plus vivre comme ça, parfois je me dis qu'il vaudrait mieux mourir."),
    ],
)  # fmt: skip
def test_living_like_this_without_the_no_is_still_a_death_wish(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority in URGENT
    assert result.has("death_wish")


def test_living_like_this_with_pills_taken_is_still_an_attempt() -> None:
    message = (
        "I don't want to live like this any more and I've never thought of hurting myself "
        "before. I took all my sleeping pills with vodka."
    )
    assert result_of(message, "en").priority is P0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Referral from the practice nurse: Mr K., 48, daily drinker, no history of "
               "seizures or DTs, no suicidal ideas."),
        ("en", "No history of seizures. I drink a bottle of wine a night."),
        ("es", "Derivación: varón de 50 años, bebe a diario, sin antecedentes de convulsiones ni "
               "delirium, sin ideas de muerte."),
        ("de", "Überweisung: Frau M., 55 Jahre, tägliches Trinken, keine Krampfanfälle in der "
               "Vorgeschichte, keine Suizidgedanken."),
        ("fr", "Orientation : Mme B., 61 ans, alcool quotidien, pas d'antécédents de convulsions "
               "ni de délire, pas d'idées suicidaires."),
        ("it", "Invio: sig. R., 57 anni, beve ogni giorno, nessun precedente di convulsioni o "
               "delirium, nessuna idea suicidaria."),
    ],
)  # fmt: skip
def test_a_referral_saying_the_danger_signs_are_absent_stays_routine(
    language: str, message: str
) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


def test_a_seizure_history_still_counts_when_not_denied() -> None:
    message = "Referral: Mr K., daily drinker, history of seizures in withdrawal."
    assert result_of(message, "en").priority in URGENT


def test_merged_reasons_quote_each_words_once() -> None:
    result = result_of(
        "Mi padre está borracho y dice que nos va a matar, ha sacado una navaja.", "es"
    )
    (flag,) = [f for f in result.flags if f.code == "someone_in_danger"]
    quotes = flag.evidence.split("; ")
    assert len(quotes) == len(set(quotes))


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I finished the box of diazepam yesterday and my GP is shut until Monday."),
        ("es", "Ayer terminé la caja de diazepam y mi médica está de vacaciones."),
        ("it", "Ieri ho finito la boccetta di Rivotril e oggi niente, il medico è in ferie."),
    ],
)  # fmt: skip
def test_a_supply_finished_without_the_rest_or_all_is_running_out_not_an_attempt(
    language: str, message: str
) -> None:
    result = result_of(message, language)
    assert not result.has("attempt_in_progress")
    assert result.priority is not P0


def test_a_drunk_threat_last_week_is_read_now_and_one_from_childhood_is_history() -> None:
    last_week = result_of(
        "Last week my husband came home drunk and said he'd kill me. I want him to get help.", "en"
    )
    assert str(last_week.priority) == "P1"
    childhood = result_of(
        "When I was a kid my dad came home drunk and said he would kill us all. Now I drink too "
        "much myself.",
        "en",
    )
    assert str(childhood.priority) in ROUTINE
