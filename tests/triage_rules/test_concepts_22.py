"""The concepts changed in engine 1.12.0, one test per concept, in the five languages.

Every message is written for the test (none is copied from a blind round): the point is that
the concept, not a phrase, is recognised, and that its routine look-alikes stay routine. See
docs/triage.md ("After the fix: engine 1.12.0").
"""

from __future__ import annotations

import pytest

from tests.triage_rules.scoring import ALL_NO, P0, ROUTINE, URGENT, result_of


# MEANS MADE READY: the means laid out or at hand, a time now and a final word, told in free
# text while every screen answer is "no": the text outranks the boxes.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I clicked no on everything but honestly the sleeping pills are lined up on my "
               "desk. Tonight, once my flatmate is out."),
        ("en", "Dad's pistol is loaded in the drawer and the house is empty this weekend. Not "
               "your fault, nobody's fault."),
        ("es", "He contestado que no a todo, pero tengo las pastillas preparadas en la mesilla. "
               "Esta noche, cuando se duerma mi madre."),
        ("de", "Ich habe überall nein angeklickt, aber die Tabletten liegen bereitgelegt im Bad. "
               "Heute Nacht, wenn meine Frau schläft."),
        ("fr", "J'ai coché non partout, mais les somnifères sont alignés sur ma table de nuit. Ce "
               "soir, quand mon copain sera parti."),
        ("it", "Ho risposto no a tutto, ma ho già tirato fuori le compresse di mio padre. "
               "Stanotte, quando mia moglie dorme."),
    ],
)  # fmt: skip
def test_means_made_ready_with_a_time_outranks_all_no_answers(language: str, message: str) -> None:
    result = result_of(message, language, **ALL_NO)
    assert result.priority is P0
    assert result.has("suicidal_plan")


# A weekly pill organiser filled, or medication got ready for a trip, is routine.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Every Sunday I set out my tablets for the week in a pill organiser. I'd like help "
               "with my drinking, ideally an evening appointment."),
        ("es", "Cada domingo dejo preparadas las pastillas para la semana. Quiero ayuda con el "
               "alcohol, ¿tienen cita por la tarde?"),
        ("de", "Meine Frau hat mir die Tabletten für die Woche im Dosett bereitgelegt. Ich suche "
               "Hilfe wegen Alkohol."),
        ("fr", "J'ai préparé mes comprimés pour la semaine dans le pilulier. Je cherche de l'aide "
               "pour l'alcool."),
        ("it", "Ho preparato le compresse per la settimana nel portapillole. Vorrei un aiuto per "
               "l'alcol."),
    ],
)  # fmt: skip
def test_medication_got_ready_for_the_week_is_routine(language: str, message: str) -> None:
    assert result_of(message, language).priority.value in ROUTINE


# A GOODBYE RECEIVED from someone else (a photo of fresh cuts, a text saying it is the last one
# or sorry for everything) and no answer since: an attempt may be under way now.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My brother sent me a picture of his wrists all bleeding and a message saying "
               "sorry for everything. His phone is switched off now."),
        ("es", "Mi amiga me mandó una foto de sus brazos llenos de cortes y ahora no contesta el "
               "móvil. Por favor, llámenme."),
        ("de", "Meine Schwester hat mir ein Foto von ihrem Arm geschickt, ganz blutig, und "
               "antwortet nicht mehr. Bitte rufen Sie an."),
        ("fr", "Mon neveu m'a envoyé un texto disant pardon pour tout, et depuis il ne répond "
               "plus. Rappelez-moi vite."),
        ("it", "Il mio ragazzo mi ha mandato un vocale dicendo che è l'ultima volta che mi sente, "
               "adesso il telefono è spento."),
    ],
)  # fmt: skip
def test_a_goodbye_received_and_no_answer_is_p0(language: str, message: str) -> None:
    result = result_of(message, language, for_whom="someone_else")
    assert result.priority is P0
    assert result.has("someone_in_danger")


# A goodbye before a journey, or a photo of a tattoo, with a phone off, is routine.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My sister sent me a photo of her new tattoo on her arm before her flight, her "
               "phone is off now. She wants help with her drinking."),
        ("es", "Mi hijo me mandó una foto de su brazo escayolado antes de embarcar y ahora tiene "
               "el móvil apagado. Quiere ayuda con el cannabis."),
        ("de", "Mein Mann hat sich per Nachricht verabschiedet, bevor er in den Zug stieg, jetzt "
               "ist das Handy aus. Er trinkt zu viel."),
        ("fr", "Ma fille m'a envoyé une photo de son bras dans le plâtre avant son vol, son "
               "portable est éteint. Elle boit trop le week-end."),
        ("it", "Mia figlia mi ha mandato un messaggio prima del volo, ora il telefono è spento. "
               "Vorrei informazioni sul vostro programma per l'alcol."),
    ],
)  # fmt: skip
def test_a_goodbye_before_a_journey_is_routine(language: str, message: str) -> None:
    assert result_of(message, language, for_whom="someone_else").priority.value in ROUTINE


# SEIZURE told by its signs inside a long message, or by a parent: fell stiff, shook for a
# minute, bit the tongue, after a benzodiazepine stopped. An apology for the length of the
# message is no essay about a subject.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Long story, sorry. My daughter quit her Xanax on Friday. At lunch she went rigid "
               "and shook for about a minute, then bit her tongue. Sorry for the essay."),
        ("es", "Perdón por el rollo. Mi hijo dejó el diazepam el lunes. Esta tarde se cayó "
               "rígido y tembló durante un minuto, luego no sabía dónde estaba."),
        ("de", "Entschuldigung für den Roman. Mein Sohn hat Tavor abgesetzt. Heute Mittag ist er "
               "steif umgefallen und hat eine Minute lang gezuckt."),
        ("fr", "Désolée pour le roman. Mon mari a arrêté son Lexomil mardi. Ce matin il est tombé "
               "raide et a tremblé pendant une minute."),
        ("it", "Scusate il papiro. Mio figlio ha smesso lo Xanax lunedì. Stamattina è caduto "
               "rigido e ha tremato per un minuto, poi era confuso."),
    ],
)  # fmt: skip
def test_seizure_signs_told_by_a_parent_or_in_a_long_message(language: str, message: str) -> None:
    result = result_of(message, language, for_whom="someone_else")
    assert result.priority is P0
    assert result.has("seizure")


# RUNNING OUT with the prescriber away or the pharmacy out of stock: at least P1.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I take lorazepam every day. My doctor is abroad until the 20th and the pharmacy "
               "is out of stock, I've enough for two days."),
        ("es", "Tomo clonazepam a diario. Mi médico está de viaje hasta fin de mes y la farmacia "
               "no tiene existencias."),
        ("de", "Ich nehme täglich Lorazepam. Meine Ärztin ist bis zum 12. verreist, ich habe nur "
               "noch für zwei Tage."),
        ("fr", "Je prends du Rivotril chaque soir. Mon docteur est en Floride jusqu'au 10 pis "
               "j'en ai pour trois jours."),
        ("it", "Prendo il Tavor tutti i giorni. La mia dottoressa è all'estero fino al 15 e la "
               "farmacia non ce l'ha."),
    ],
)  # fmt: skip
def test_benzo_with_the_prescriber_away_or_out_of_stock_is_urgent(
    language: str, message: str
) -> None:
    result = result_of(message, language)
    assert result.priority in URGENT
    assert result.has("abrupt_stop")


# PROFESSIONALS asking about work or training: their patients' overdoses, seizures and crises
# named in general are information only.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I'm a paramedic and we see overdoses and withdrawal seizures every shift. Do you "
               "run training for staff on benzodiazepine withdrawal? Just a work question."),
        ("es", "Soy enfermera en urgencias y vemos muchas sobredosis de opioides. ¿Tienen cursos "
               "para el personal sobre crisis suicidas? Pregunta puramente profesional."),
        ("de", "Ich bin Pflegefachfrau auf einer Notfallstation, wir haben oft Patienten mit "
               "Alkoholentzug und Krampfanfällen. Bieten Sie Fortbildungen an?"),
        ("fr", "Je suis infirmière en psychiatrie, nous accueillons des patients après une "
               "overdose. Proposez-vous des formations pour le personnel ?"),
        ("it", "Sono una farmacista e vedo spesso ricette di benzodiazepine insieme al metadone. "
               "Organizzate corsi per il personale? Domanda solo per lavoro."),
    ],
)  # fmt: skip
def test_a_professionals_work_question_is_routine(language: str, message: str) -> None:
    assert result_of(message, language, for_whom="professional").priority.value in ROUTINE


# ... but a professional telling of one patient in danger now is urgent.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I'm a nurse. A patient of mine told me this morning she has saved her pills for "
               "tonight. Can someone call me?"),
        ("fr", "Je suis infirmière. Une patiente m'a dit ce matin qu'elle a mis de côté ses "
               "comprimés pour ce soir et qu'elle a écrit des lettres."),
    ],
)  # fmt: skip
def test_a_professional_reporting_one_patient_in_danger_is_urgent(
    language: str, message: str
) -> None:
    assert result_of(message, language, for_whom="professional").priority is P0


# A PAST POISONING long ago, and sleep: "to fall asleep" is no fall.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Twenty years ago I was hospitalised for alcohol poisoning at university. These "
               "days I drink wine to fall asleep and want to cut down."),
        ("es", "Hace veinte años tuve una intoxicación etílica. Ahora bebo cada noche y me caigo "
               "de sueño en el sofá; quiero dejarlo."),
        ("fr", "Il y a vingt ans j'ai fait un coma éthylique. Maintenant je bois le soir et je "
               "tombe de sommeil devant la télé, je veux arrêter."),
        ("it", "Vent'anni fa ho avuto un'intossicazione da alcol. Adesso bevo la sera e cado dal "
               "sonno sul divano, vorrei smettere."),
        ("de", "Vor zwanzig Jahren hatte ich eine Alkoholvergiftung. Heute trinke ich abends, um "
               "einzuschlafen, und möchte weniger trinken."),
    ],
)  # fmt: skip
def test_a_poisoning_long_ago_and_falling_asleep_are_routine(language: str, message: str) -> None:
    assert result_of(message, language, **ALL_NO).priority.value in ROUTINE


# A SLOW TAPER wanted, the abrupt stop refused or feared: no abrupt stop.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I've taken diazepam daily for six years. I don't want to stop it suddenly, I'm "
               "looking for help to reduce slowly."),
        ("es", "Tomo lorazepam cada día desde hace años. No quiero dejarlo de golpe, busco "
               "ayuda para bajar la dosis poco a poco."),
        ("de", "Ich nehme seit Jahren täglich Tavor. Ich möchte es auf keinen Fall abrupt "
               "absetzen, sondern langsam reduzieren."),
        ("fr", "Je prends du Xanax tous les jours. Je ne veux pas tout arrêter d'un coup, je "
               "cherche un sevrage progressif."),
        ("it", "Prendo il Rivotril ogni giorno da anni. Non voglio smettere di colpo, vorrei "
               "scalare piano con un medico."),
    ],
)  # fmt: skip
def test_a_slow_taper_wanted_is_no_abrupt_stop(language: str, message: str) -> None:
    result = result_of(message, language, **ALL_NO)
    assert not result.has("abrupt_stop")
    assert result.priority.value in ROUTINE


# ... while an abrupt stop told stays urgent.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I stopped my diazepam suddenly three days ago after six years."),
        ("es", "Dejé el lorazepam de golpe hace tres días."),
        ("de", "Ich habe Tavor vor drei Tagen abrupt abgesetzt."),
        ("fr", "J'ai arrêté le Xanax d'un coup il y a trois jours."),
        ("it", "Ho smesso il Rivotril di colpo tre giorni fa."),
    ],
)  # fmt: skip
def test_an_abrupt_stop_told_stays_urgent(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority in URGENT
    assert result.has("abrupt_stop")
