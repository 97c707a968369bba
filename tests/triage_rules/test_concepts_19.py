"""The concepts changed in engine 1.9.0, one test per concept, in the five languages.

Every message is written for the test (none is copied from a blind round): the point is that
the concept, not a phrase, is recognised, and that its routine look-alikes stay routine. See
docs/triage.md ("After the fix: engine 1.9.0").
"""

from __future__ import annotations

import pytest

from tests.triage_rules.scoring import P0, ROUTINE, URGENT, result_of


# UNWELL: a large amount of a sedative taken and its effect felt now is a suspected overdose.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I swallowed about 25 of my clonazepam with gin an hour ago and I feel so heavy."),
        ("en", "took 40 of nan's sleeping tablets with cider, the room keeps spinning"),
        ("es", "Me he tomado unas 30 pastillas de lorazepam con whisky y todo me da vueltas."),
        ("de", "Ich habe gerade etwa 30 Tavor mit Bier geschluckt und mir wird total schwummrig."),
        ("fr", "J'ai avalé environ 30 Xanax avec de la vodka, tout tourne et je me sens lourde."),
        ("it", "Ho preso circa 30 pastiglie di Tavor con il vino, mi si chiudono gli occhi."),
    ],
)
def test_a_sedative_overdose_felt_now_is_p0(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority is P0
    assert result.has("overdose_suspected")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I had two beers at lunch and felt a bit dizzy, I want to cut down."),
        ("es", "Con dos cervezas ya me mareo, quiero dejar de beber del todo."),
        ("de", "Nach zwei Bier ist mir schon schwindelig, ich möchte ganz aufhören."),
        ("fr", "Deux bières et j'ai déjà la tête qui tourne, je veux arrêter l'alcool."),
        ("it", "Dopo due birre mi gira già la testa, voglio smettere di bere."),
    ],
)
def test_feeling_dizzy_after_a_drink_stays_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# LETHAL PLACE + INTOXICATED: drunk or high at an edge or on the tracks is in danger now.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My cousin is wasted and sitting on the edge of the multi-storey car park roof."),
        ("es", "Mi novio va borracho perdido y está sentado en el borde del puente."),
        ("de", "Mein Mitbewohner ist sturzbetrunken und steht am Gleis, er hört nicht auf mich."),
        ("fr", "Ma coloc est complètement saoule et assise sur le parapet du pont."),
        ("it", "Mio fratello è sbronzo e sta sul bordo del tetto del palazzo."),
    ],
)
def test_drunk_at_a_lethal_place_is_someone_in_danger(language: str, message: str) -> None:
    result = result_of(message, language, for_whom="someone_else")
    assert result.priority is P0
    assert result.has("someone_in_danger")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "As students we got drunk on the bridge every summer; now I drink alone at home."),
        ("es", "De jóvenes bebíamos en el puente cada verano; ahora bebo solo en casa."),
        ("de", "Früher haben wir jeden Sommer an der Brücke getrunken, heute trinke ich allein."),
        ("fr", "Jeunes, on buvait au bord de la rivière chaque été ; maintenant je bois seul."),
        ("it", "Da ragazzi bevevamo al fiume ogni estate; adesso bevo da solo a casa."),
    ],
)
def test_drinking_places_remembered_stay_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# RESIGNED with a lethal place: "nothing matters any more" at an edge is a plan.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "He is standing on the edge of the roof saying there's no point anymore."),
        ("es", "Está en el borde de la azotea del edificio y dice que ya nada tiene sentido."),
        ("de", "Sie steht auf der Brücke und sagt, es hat alles keinen Sinn mehr."),
        ("fr", "Il est sur le rebord du balcon et répète que ça ne sert plus à rien."),
        ("it", "È sul bordo del terrazzo e dice che niente ha più senso."),
    ],
)
def test_resigned_at_a_lethal_place_is_p0(language: str, message: str) -> None:
    assert result_of(message, language, for_whom="someone_else").priority is P0


# NOT-HERE in the present: "better if I disappear" is a death wish (ASQ: better off dead).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Honestly my kids would be better off if I vanish, I owe everyone money."),
        ("es", "Mis hijos estarían mejor si me muero, les dejo solo deudas."),
        ("de", "Meine Frau hätte es besser, wenn ich einfach verschwinde."),
        ("fr", "Mes parents seraient mieux si je disparais, je ne leur apporte que des soucis."),
        ("it", "I miei stanno meglio se muoio io, porto solo guai."),
    ],
)
def test_better_if_i_disappear_is_a_death_wish(language: str, message: str) -> None:
    result = result_of(message, language)
    assert str(result.priority) in URGENT
    assert result.has("death_wish")


# RUNNING OUT (a few left to someone, the supply ending) and DOCTOR AWAY (a refusal to
# prescribe or renew, a prescriber retired) with a benzodiazepine: a sudden stop ahead (P1).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Dad's box of lorazepam is nearly empty and the surgery won't renew it."),
        ("es", "A mi abuelo le quedan dos pastillas de Orfidal y la doctora no se las quiere dar."),
        ("de", "Vater hat noch drei Tabletten Tavor übrig, der Arzt will keine mehr verschreiben."),
        ("fr", "Il reste deux comprimés de Lexomil à mon père, son docteur refuse de renouveler."),
        ("it", "Al nonno restano due compresse di Tavor e il medico rifiuta di rinnovare."),
        ("it", "Lo zio prende Xanax ogni sera, e il medico non vuole più prescriverglielo."),
        ("es", "Mi tía toma Orfidal cada noche y su médica no quiere recetárselo más."),
    ],
)
def test_a_benzodiazepine_running_out_is_p1(language: str, message: str) -> None:
    result = result_of(message, language, for_whom="someone_else")
    assert str(result.priority) in URGENT
    assert result.has("abrupt_stop")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I have three days of leave left and would like an appointment then."),
        ("es", "Me quedan dos semanas de vacaciones, ¿podemos vernos entonces?"),
        ("de", "Ich habe noch zwei Wochen Urlaub übrig, passt ein Termin danach?"),
        ("fr", "Il me reste trois jours de congé, je voudrais un rendez-vous."),
        ("it", "Mi restano due settimane di ferie, possiamo fissare un colloquio?"),
    ],
)
def test_days_of_leave_left_stay_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# DELIRIUM-NOW in regional and colloquial spelling: vermin seen now is delirium (P0).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Since he stopped the booze my grandad can see critters on the curtains."),
        ("es", "Desde que dejó el alcohol mi tío ve escarabajos por el techo."),
        ("de", "Sit er nüm suuft, gseht min Vatter Chäferli uf em Bode."),
        ("fr", "Depuis qu'il a arrêté de boire, mon chum voit des bibittes sur le plafond."),
        ("it", "Da quando ha smesso di bere mio zio vede bacherozzi sul soffitto."),
    ],
)
def test_vermin_seen_in_regional_words_is_delirium(language: str, message: str) -> None:
    result = result_of(message, language, for_whom="someone_else")
    assert result.priority is P0
    assert result.has("confusion")


# Routine look-alikes that 1.9.0 keeps routine: idioms of dying of shame or laughter, thoughts
# of self-harm denied, a number of years read as an amount, a question to the clinic read as
# taking something, the noun "consumption", a drinking habit told with children, school talks.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I nearly died of embarrassment at the work party, I was that drunk. Time to stop."),
        ("es", "Casi me muero de la vergüenza en la boda de mi primo, iba muy borracho."),
        ("de", "Ich bin fast vor Scham gestorben, so betrunken war ich auf der Hochzeit."),
        ("fr", "J'ai cru mourir de honte au mariage, j'étais tellement saoul."),
        ("it", "Sono quasi morto di vergogna al matrimonio, ero ubriaco fradicio."),
        ("en", "I have no thoughts of harming myself at all, I just want to quit coke."),
        ("es", "No tengo ideas de hacerme daño, solo quiero dejar la coca."),
        ("fr", "Je n'ai aucune idée de me faire du mal, je veux juste arrêter la coke."),
        ("it", "Non ho nessun pensiero di farmi del male, voglio solo smettere con la coca."),
        ("en", "Barman for 15 years, I drink every shift. Do you take Cigna? Evenings are best."),
        ("es", "Somos padres: ¿dais charlas en colegios sobre consumo de alcohol y suicidio?"),
        ("it", "Mio marito beve ogni sera e i figli lo vedono ubriaco. Come lo convinco a venire?"),
        ("es", "Mi mujer bebe todas las noches y los niños la ven borracha. ¿Cómo la convenzo?"),
        ("en", "Could you run talks in schools about overdose and suicide for year 11?"),
        ("de", "Halten Sie Vorträge an Schulen über Überdosis und Suizid?"),
        ("fr", "Proposez-vous des ateliers dans les lycées sur l'overdose et le suicide ?"),
    ],
)
def test_round_12_kinds_of_routine_look_alike_stay_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE
