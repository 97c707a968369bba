"""The concepts changed in engine 1.10.0, one test per concept, in the five languages.

Every message is written for the test (none is copied from a blind round): the point is that
the concept, not a phrase, is recognised, and that its routine look-alikes stay routine. See
docs/triage.md ("After the fix: engine 1.10.0").
"""

from __future__ import annotations

import pytest

from tests.triage_rules.scoring import P0, ROUTINE, URGENT, result_of


# A plan told by its logistics: a supply of pills or a drug put by (SAVED), who will find them
# (FOUND), absolving everyone ("nobody's fault"), having enough not to survive or fail, a moment
# when the house is empty, a pet left with a relative and the bills paid.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I've had a month of my mum's oxycodone stashed in the shed since she died. "
               "I've written letters to the boys."),
        ("en", "Sorted a room at the B&B for Saturday so my wife isn't the one who finds me. "
               "Don't blame yourselves."),
        ("en", "I've paid off my debts and written to my sister. I don't want my daughter to be "
               "the one who finds me."),
        ("es", "Tengo guardadas las pastillas de mi padre desde hace meses. Ya dejé todo "
               "arreglado, no es culpa de nadie."),
        ("es", "Ya he pagado las facturas y dejé al perro con mi hermana. Será el sábado, cuando "
               "la casa esté vacía, para que no sean mis hijos los que me encuentren."),
        ("de", "Ich habe seit Wochen Tramadol beiseitegelegt. Die Briefe an meine Töchter liegen "
               "geschrieben im Schrank."),
        ("de", "Hab alles geregelt, die Rechnungen sind bezahlt. Es ist niemandes Schuld, und ich "
               "habe genug, damit ich nicht mehr aufwache."),
        ("fr", "J'ai mis de côté la morphine de ma mère depuis l'été. Tout est réglé, ce n'est la "
               "faute de personne."),
        ("fr", "J'ai confié le chat à ma soeur et payé le loyer. J'ai ce qu'il faut pour ne pas "
               "me louper, quand l'appartement sera vide."),
        ("fr", "J'ai écrit des lettres à mes filles. Je ne veux pas que ce soient elles qui me "
               "trouvent, alors ce sera à l'hôtel."),
        ("it", "Ho messo da parte il Tavor di mia nonna per settimane. Ho sistemato tutto, non è "
               "colpa di nessuno."),
        ("it", "Ho pagato l'affitto e le bollette, il cane è da mia sorella. Domenica, quando la "
               "casa sarà vuota, così non saranno i bambini a trovarmi."),
    ],
)  # fmt: skip
def test_a_plan_told_by_its_logistics_is_p0(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority is P0
    assert result.has("suicidal_plan")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I've put some money aside for the programme and my sister will mind the dog "
               "while I'm in."),
        ("en", "It's nobody's fault but mine that I drink. I keep my pills put away safely from "
               "the kids."),
        ("en", "You'll find me at the front desk on Friday, so come and say hi; I need help with "
               "drinking."),
        ("es", "He ahorrado para el tratamiento. No es culpa de nadie más que mía que beba tanto."),
        ("de", "Ich habe Geld für die Therapie zur Seite gelegt. Meine Rechnungen sind bezahlt, "
               "ich will nur aufhören zu trinken."),
        ("fr", "J'ai mis de l'argent de côté pour la cure et payé le loyer d'avance. Je veux "
               "arrêter le vin."),
        ("fr", "Vous ne pouvez pas me rater, je suis grande et blonde. Je cherche de l'aide pour "
               "l'alcool."),
        ("it", "Ho messo da parte dei soldi per il ricovero, il cane starà da mia sorella. Voglio "
               "smettere di bere."),
    ],
)  # fmt: skip
def test_money_saved_bills_paid_and_being_found_at_a_desk_stay_routine(
    language: str, message: str
) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# NO-WAKE told as disappointment at waking or at still being alive: a death wish (ASQ item 1).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Every morning I'm gutted to wake up again. Drinking a bottle of rum a day."),
        ("en", "Honestly I'm disappointed I'm still alive after last winter. I use heroin most "
               "days."),
        ("es", "Cada mañana me decepciona despertarme. Bebo una botella de vino al día."),
        ("de", "Ich bin jeden Morgen enttäuscht, dass ich wieder aufwache. Ich trinke zu viel."),
        ("fr", "Je suis déçue de me réveiller chaque matin. Je bois trop depuis deux ans."),
        ("it", "Sono deluso di svegliarmi ogni mattina. Bevo troppo da anni."),
    ],
)  # fmt: skip
def test_disappointed_to_wake_up_is_a_death_wish(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority in URGENT
    assert result.has("death_wish")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I was disappointed I woke up with a hangover again, I'd like to cut down."),
        ("en", "Sorry I woke you up with my call last night, I'd like an appointment."),
        ("es", "Me da pena despertar a mi madre cuando llego borracho. Quiero dejarlo."),
        ("es", "Intento no despertar a mi madre cuando llego tarde; quiero dejar de beber."),
        ("it", "Mi dispiace svegliarti così presto, vorrei un appuntamento per mio figlio."),
    ],
)  # fmt: skip
def test_waking_up_hungover_or_waking_someone_stays_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


def test_a_relative_who_cannot_be_woken_is_still_p0() -> None:
    result = result_of(
        "No puedo despertar a mi madre, se tomó las pastillas con vino.",
        "es",
        for_whom="someone_else",
    )
    assert result.priority is P0


# RUNNING OUT told as a small count still had, and the supply gone or a refusal to prescribe.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I'm on lorazepam 2 mg a day and I've only got three tablets. My dealer's gone "
               "quiet."),
        ("es", "Tomo clonazepam cada día y solo me quedan dos pastillas, el médico no me quiere "
               "recetar nada."),
        ("de", "Ich nehme täglich Tavor und habe nur noch zwei Tabletten, mein Arzt will mir "
               "keine verschreiben."),
        ("fr", "Je prends du Lexomil tous les jours et je n'ai plus que deux comprimés. Mon "
               "dealer a disparu."),
        ("it", "Prendo lo Xanax ogni giorno e ho ancora due compresse, il medico non vuole "
               "prescrivermi niente."),
    ],
)  # fmt: skip
def test_a_benzodiazepine_nearly_gone_is_an_abrupt_stop(language: str, message: str) -> None:
    result = result_of(message, language)
    assert result.priority in URGENT
    assert result.has("abrupt_stop")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I only take two tablets of paracetamol a day for my back; I'd like help with "
               "drinking."),
        ("de", "Ich habe noch drei Bier getrunken und will jetzt aufhören. Termin möglich?"),
    ],
)  # fmt: skip
def test_a_dose_or_more_beer_is_no_supply_running_out(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# Negation in dialect: Austrian/Bavarian "ka", "koa", Swiss "kei", Scots "nae", Italian "manco".
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "I hob koa Suizidgedanken, i trink nur z'vui Bier am Wochenend."),
        ("de", "Nur damit's klar is: kei Suizidgedanke, i will bloss weniger kiffe."),
        ("en", "I've nae thoughts of suicide, I just drink too much whisky."),
        ("it", "Manco per idea ho pensieri suicidi, voglio solo smettere con la cocaina."),
    ],
)
def test_suicide_denied_in_dialect_stays_routine(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


# A relative's withdrawal seizure years ago, told by someone asking help for their own use, is
# family history ("over/more than twenty years ago" is an old date in every language).
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My grandad had a seizure in withdrawal over thirty years ago. I drink six pints "
               "a night myself and want to stop."),
        ("es", "Mi padre tuvo una convulsión al dejar el alcohol hace más de veinte años. Yo bebo "
               "demasiado y quiero parar."),
        ("fr", "Ma mère a fait une crise d'épilepsie en sevrage il y a plus de vingt ans. Moi je "
               "bois trop et je veux arrêter."),
        ("de", "Mein Onkel hatte vor mehr als zwanzig Jahren einen Krampfanfall im Entzug. Ich "
               "trinke selbst zu viel."),
    ],
)  # fmt: skip
def test_a_relatives_old_seizure_is_family_history(language: str, message: str) -> None:
    assert str(result_of(message, language).priority) in ROUTINE


@pytest.mark.parametrize(
    ("language", "message", "form"),
    [
        ("de", "Mein Bruder hatte vor zwei Jahren einen Krampfanfall im Entzug und trinkt wieder "
               "jeden Tag.", {"for_whom": "someone_else"}),
        ("en", "I had a fit when I stopped drinking over ten years ago; I drink a bottle of vodka "
               "a day now.", {}),
    ],
)  # fmt: skip
def test_the_history_of_the_person_it_concerns_stays_urgent(
    language: str, message: str, form: dict[str, str]
) -> None:
    result = result_of(message, language, **form)
    assert result.priority in URGENT
    assert result.has("withdrawal_seizure_history")


# ABOUT: media work, a podcast episode, a radio programme, an interview for a paper.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Wir produzieren eine Sendung über Suizid und Sucht. Hätten Sie Zeit für ein "
               "Interview?"),
        ("en", "I'm a reporter working on a radio segment about overdose and suicide; could a "
               "clinician talk to us?"),
        ("es", "Preparamos un episodio sobre suicidio y adicciones para nuestro podcast. ¿Nos "
               "concederían una entrevista?"),
        ("fr", "Nous préparons une émission de radio sur le suicide et les overdoses ; un "
               "médecin accepterait-il une interview ?"),
        ("it", "Stiamo preparando una puntata sul suicidio e le overdose; un medico ci "
               "concederebbe un'intervista per il nostro podcast?"),
    ],
)  # fmt: skip
def test_a_programme_about_suicide_is_a_subject(language: str, message: str) -> None:
    result = result_of(message, language, for_whom="professional")
    assert str(result.priority) in ROUTINE


# CONFUSION-SIGN: paranoid delusions (people hidden in the walls, being followed, hunting for
# cameras or microphones, taking sockets apart) and looking at someone as if not knowing them.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My brother has been on meth for four days and keeps searching the flat for hidden "
               "cameras, he says men are hiding in the loft."),
        ("es", "Mi hijo lleva tres días con cocaína y está convencido de que lo siguen, revisa "
               "los enchufes buscando micrófonos."),
        ("de", "Mein Freund ist seit Tagen auf Speed, er glaubt, er werde verfolgt, und sucht "
               "überall nach Wanzen."),
        ("fr", "Ma fille est sous cocaïne depuis trois jours, elle croit qu'on la surveille et "
               "cherche des caméras partout."),
        ("fr", "Mon père a arrêté l'alcool lundi et ce soir il me regarde comme s'il ne me "
               "reconnaissait pas."),
        ("it", "Mio marito è pieno di cocaina da giorni, crede che lo spiano e cerca microspie "
               "dappertutto."),
    ],
)  # fmt: skip
def test_paranoid_delusions_now_are_confusion(language: str, message: str) -> None:
    result = result_of(message, language, for_whom="someone_else")
    assert result.priority is P0
    assert result.has("confusion")


@pytest.mark.parametrize(
    ("language", "message", "form"),
    [
        ("en", "We had cameras fitted at the shop after a break-in; I want help with my "
               "drinking.", {}),
        ("de", "Die Polizei sucht nach meinem Sohn nicht mehr, er ist wieder zu Hause und will "
               "einen Entzug.", {"for_whom": "someone_else"}),
    ],
)  # fmt: skip
def test_real_cameras_and_a_police_search_stay_routine(
    language: str, message: str, form: dict[str, str]
) -> None:
    assert str(result_of(message, language, **form).priority) in ROUTINE


def test_a_sister_typed_with_oe_is_another_person() -> None:
    """Without the œ key "sœur" is typed "soeur": both are someone else (1.10.0)."""
    for sister in ("soeur", "sœur"):
        result = result_of(f"Ma {sister} a avalé toute sa boîte de cachets.", "fr")
        flag = next(f for f in result.flags if f.code == "attempt_in_progress")
        assert flag.third_party
