"""The concepts changed in engine 1.22.0 (routine look-alikes), in the five languages.

Every message is written for the test: the point is that the concept is read, not a phrase,
and that each look-alike's danger twin still raises. See docs/triage.md ("Engine 1.22.0").
"""

from __future__ import annotations

import pytest

from tests.triage_rules.scoring import ALL_NO, P0, ROUTINE, URGENT, result_of


def routine(message: str, language: str, **form: object) -> bool:
    return str(result_of(message, language, **{**ALL_NO, **form}).priority) in ROUTINE


def urgent(message: str, language: str, **form: object) -> bool:
    return result_of(message, language, **{**ALL_NO, **form}).priority in URGENT


# "I'd rather die than ..." compares with something disliked; compared with living on it is a
# death wish.
@pytest.mark.parametrize(
    ("language", "idiom", "wish"),
    [
        ("en", "I'd rather die than sit through another group meeting, but I need help with wine.",
               "I'd rather die than go on like this, every night the same bottle."),
        ("es", "Prefiero morirme antes que pedirle dinero a mi cuñado, pero necesito ayuda.",
               "Prefiero morir antes que seguir así con la bebida."),
        ("de", "Lieber tot als noch einmal in diese Kurklinik, aber ich brauche Hilfe.",
               "Ich würde lieber sterben als so weiterzuleben."),
        ("fr", "Je préfère mourir que retourner chez ce médecin, mais il me faut de l'aide.",
               "Je préférerais mourir plutôt que de continuer comme ça."),
        ("it", "Preferirei morire piuttosto che tornare da quel medico, ma mi serve aiuto.",
               "Preferirei morire piuttosto che vivere così ancora."),
    ],
)  # fmt: skip
def test_rather_die_than(language: str, idiom: str, wish: str) -> None:
    assert routine(idiom, language)
    assert urgent(wish, language)


# A pet's seizure is no seizure of the person; the person's own, seen by the dog, is.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Our old dog had a bad seizure on Sunday and since then I've been drinking more."),
        ("es", "A nuestra perra le dio una crisis epiléptica anoche y desde entonces bebo más."),
        ("de", "Unsere Katze hatte am Wochenende einen epileptischen Anfall, seitdem trinke "
               "ich mehr."),
        ("fr", "Notre chat a fait une crise d'épilepsie dimanche et depuis je bois davantage."),
        ("it", "Il nostro cane ha avuto una brutta crisi epilettica domenica e da allora bevo "
               "di più."),
    ],
)  # fmt: skip
def test_a_pets_seizure_is_routine(language: str, message: str) -> None:
    assert routine(message, language, substances=["alcohol"])


def test_a_seizure_the_dog_saw_is_still_a_seizure() -> None:
    message = "The dog was barking because I had a seizure on the kitchen floor an hour ago."
    assert result_of(message, "en").priority is P0


# Thoughts dated long ago with nothing of now are history; "for years", "still", "again" keep
# them current.
@pytest.mark.parametrize(
    ("language", "history", "current"),
    [
        ("en", "I was suicidal when I was 17, that's long behind me. Now it's only the beer.",
               "I've wanted to die for years and the beer makes it worse."),
        ("es", "Cuando tenía 18 años pensé en suicidarme, pero eso ya pasó. Ahora es el alcohol.",
               "Hace años que quiero morirme y el alcohol lo empeora."),
        ("de", "Mit 17 hatte ich Suizidgedanken, das ist lange vorbei. Jetzt ist es der Wein.",
               "Ich will seit Jahren nicht mehr leben und trinke jeden Abend."),
        ("fr", "À 16 ans j'avais des idées suicidaires, c'est loin. Maintenant c'est le vin.",
               "Depuis des années je veux mourir et le vin n'arrange rien."),
        ("it", "A diciott'anni volevo morire, ma è passato. Ora è solo il vino.",
               "Da anni voglio morire e il vino peggiora tutto."),
    ],
)  # fmt: skip
def test_thoughts_told_as_history(language: str, history: str, current: str) -> None:
    assert routine(history, language)
    assert urgent(current, language)


# A general question about mixing, or a first-aid course, is a subject; the writer's own
# taking beside it is not.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "A general question, not about a particular case: what happens if someone mixes "
               "diazepam with methadone? It's for our staff training."),
        ("es", "Pregunta general, no es un caso concreto: ¿qué pasa si alguien mezcla alprazolam "
               "con alcohol?"),
        ("de", "Eine allgemeine Frage, kein konkreter Fall: Was passiert, wenn jemand Tavor und "
               "Alkohol mischt?"),
        ("fr", "Question générale, pas un cas précis : que se passe-t-il si quelqu'un mélange "
               "Xanax et alcool ?"),
        ("it", "Domanda generale, nessun caso specifico: cosa succede se qualcuno mescola Xanax "
               "e alcol?"),
        ("en", "Do you run a first aid course on recognising an overdose? We are a rowing club."),
        ("de", "Wir möchten einen Erste-Hilfe-Kurs zum Erkennen einer Überdosis für den Verein."),
    ],
)  # fmt: skip
def test_a_general_question_is_a_subject(language: str, message: str) -> None:
    assert routine(message, language)


def test_own_taking_beside_a_general_question_still_counts() -> None:
    message = (
        "General question: what happens if someone mixes Xanax and vodka? "
        "I have just taken six with half a bottle."
    )
    assert urgent(message, "en")


# Idioms met in the development set: shaking like a leaf, finishing with the drink, dying of
# laughter after a hangover, a "coffee overdose", not knowing what to answer.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I was shaking like a leaf before I pressed send. I drink every evening."),
        ("en", "I want to end it once and for all - with the booze, I mean. Three weeks dry."),
        ("es", "Qué resaca la de ayer, casi me muero jajaja. ¿Atienden a gente que bebe mucho?"),
        ("es", "Mi jefe dice que se va a matar a cafés antes de la auditoría; yo bebo demasiado."),
        ("de", "Mein Kollege witzelt über seine Kaffee-Überdosis. Ich trinke jeden Abend Wein."),
        ("de", "Ich zittere wie Espenlaub, wenn ich daran denke anzurufen. Ich trinke zu viel."),
        ("fr", "Je veux en finir une bonne fois pour toutes avec l'alcool ! Sobre depuis un mois."),
        ("it", "Voglio farla finita una volta per tutte con l'alcol! Sobrio da un mese."),
        ("it", "Mia figlia mi ha chiesto dello Xanax e non sapevo cosa rispondere."),
    ],
)  # fmt: skip
def test_idioms_stay_routine(language: str, message: str) -> None:
    assert routine(message, language)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I want to end it once and for all, tonight, with the pills I saved."),
        ("fr", "Je veux en finir une bonne fois pour toutes, ce soir."),
        ("it", "Voglio farla finita una volta per tutte, stanotte."),
        ("it", "Mio padre non risponde e respira piano dopo le pastiglie."),
    ],
)  # fmt: skip
def test_their_danger_twins_raise(language: str, message: str) -> None:
    assert urgent(message, language)


# Denials told before the noun, after it, or as a short answer after a comma.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Not once have I thought of ending my life. I just want to drink less."),
        ("en", "Suicide has never crossed my mind; it's the whisky I worry about."),
        ("es", "El suicidio nunca se me ha pasado por la cabeza. Solo quiero beber menos."),
        ("es", "Pensamientos suicidas, ninguno. Sobredosis, nunca. Solo bebo demasiado."),
        ("de", "Selbstmord war nie ein Thema für mich. Ich trinke nur zu viel."),
        ("fr", "Jamais je n'ai pensé à mettre fin à mes jours. Je veux juste boire moins."),
        ("fr", "Le suicide ne m'a jamais traversé l'esprit, c'est le vin le problème."),
        ("it", "Il suicidio non mi è mai passato per la testa, è il vino il problema."),
    ],
)  # fmt: skip
def test_denials_stay_routine(language: str, message: str) -> None:
    assert routine(message, language)


# A correctly spelt word of one of the five languages is never read as a typo of a danger word
# ("consulter" is French, not a misspelt "convulser"); a real typo still is.
def test_a_real_word_is_no_typo() -> None:
    message = "Mon frère boit beaucoup. Comment l'amener à vous consulter ?"
    assert routine(message, "fr", for_whom="someone_else")


def test_a_swiss_seizure_this_morning_is_p0() -> None:
    message = "Mis Rivotril isch sit vier Täg fertig. Hüt Morge han i en Chrampfafall gha."
    assert result_of(message, "de").priority is P0


# Engine 1.23.0 (blind round 25, fixed by concept).


# "Nobody is in danger" answers what the safety net asks of drink, children and violence in
# one sentence; it does not answer the writer's own body or a real combination.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "My partner drinks a lot; he never drives after he's had a few and the kids are "
               "at university. Nobody is in danger, I just want advice."),
        ("es", "Mi padre bebe mucho, nunca coge el coche cuando ha bebido y mis hijos ya son "
               "mayores. Nadie corre peligro, solo quiero consejo."),
        ("de", "Mein Mann trinkt viel, fährt aber nie, wenn er getrunken hat, die Kinder sind "
               "erwachsen. Niemand ist in Gefahr, ich möchte nur Rat."),
        ("fr", "Ma femme boit beaucoup ; elle ne conduit jamais quand elle a bu, les enfants "
               "sont grands. Personne n'est en danger, je veux juste des conseils."),
        ("it", "Mio marito beve molto, non guida mai quando ha bevuto e i figli sono grandi. "
               "Nessuno è in pericolo, vorrei solo un consiglio."),
    ],
)  # fmt: skip
def test_nobody_in_danger_answers_the_safety_net(language: str, message: str) -> None:
    assert routine(message, language, for_whom="someone_else", substances=["alcohol"])


def test_nobody_in_danger_does_not_answer_a_real_combination() -> None:
    message = (
        "Nobody is in danger, I think, but my husband is passed out drunk and not waking up "
        "and the baby is alone with him."
    )
    assert result_of(message, "en", for_whom="someone_else").priority is P0


# A short answer after the noun with only a space: "ideas de suicidio ninguna".
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("es", "Fumo porros a diario. Ideas de suicidio ninguna, solo quiero dejarlo."),
        ("en", "I smoke weed all day. Suicidal thoughts none, I just want to stop."),
        ("fr", "Je fume tous les jours. Idées suicidaires aucune, je veux juste arrêter."),
        ("it", "Fumo ogni giorno. Pensieri suicidi nessuno, voglio solo smettere."),
    ],
)  # fmt: skip
def test_a_short_answer_after_the_noun_negates(language: str, message: str) -> None:
    assert routine(message, language, substances=["cannabis"])


# An overdose years ago treated in hospital, with no word of trying or wanting to die, is
# overdose history (P2); told recently, or with intent, it stays urgent.
@pytest.mark.parametrize(
    ("language", "history", "attempt"),
    [
        ("en", "In 2011 I overdosed on heroin and woke up in intensive care. Clean since 2012; "
               "now it's the wine.",
               "In 2011 I took all my pills because I wanted to die and woke up in intensive "
               "care."),
        ("es", "En 2012 tuve una sobredosis de heroína y desperté en la UCI. Ahora es el vino.",
               "Hace dos semanas me tomé todas las pastillas y me encontraron a tiempo."),
    ],
)  # fmt: skip
def test_an_overdose_years_ago_treated_in_hospital(
    language: str, history: str, attempt: str
) -> None:
    assert routine(history, language, substances=["alcohol"])
    assert urgent(attempt, language, substances=["alcohol"])


# Engine 1.24.0: misuse told as a habit, and more idioms of breathing, suicide and falling.
@pytest.mark.parametrize(
    ("language", "message", "substances"),
    [
        ("en", "No thoughts of harm. These days I take more than I'm prescribed and get edgy "
               "when the bottle is nearly empty.", ["opioids"]),
        ("en", "I can't breathe with this workload and the wine is my only escape.", ["alcohol"]),
        ("en", "Taking a month off for rehab would be career suicide. Do you do evenings?",
               ["alcohol"]),
        ("en", "I'm falling apart, drinking every night. No thoughts of harming myself.",
               ["alcohol"]),
        ("en", "He was dead drunk at our daughter's wedding, I want him to get help.", ["alcohol"]),
        ("es", "Un mes de ingreso sería un suicidio laboral. ¿Tienen terapia de tarde?",
               ["alcohol"]),
        ("de", "Ich falle auseinander und trinke jeden Abend. Keine Suizidgedanken.", ["alcohol"]),
        ("fr", "J'ai failli faire une crise cardiaque en voyant vos tarifs. Combien ?",
         ["alcohol"]),
        ("it", "Sto cadendo a pezzi e bevo ogni sera. Nessun pensiero di farmi del male.",
               ["alcohol"]),
    ],
)  # fmt: skip
def test_habits_and_idioms_of_1_24(language: str, message: str, substances: list[str]) -> None:
    assert routine(message, language, substances=substances)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I can't breathe, my chest is tight after the pills and vodka."),
        ("en", "I've just taken the whole bottle of oxy now, more than I should, I'm scared."),
        ("fr", "Mon fils fait une crise, il tremble de partout depuis qu'il a arrêté le Xanax."),
    ],
)  # fmt: skip
def test_their_danger_twins_of_1_24(language: str, message: str) -> None:
    assert urgent(message, language)


# Engine 1.24.0, from the second development set.
@pytest.mark.parametrize(
    ("language", "message", "form"),
    [
        # A professional's referral question with what everyone knows about stopping suddenly.
        ("en", "Practice nurse here: we know stopping diazepam suddenly can cause seizures, so we "
               "never do it. What are your referral criteria?",
         {"for_whom": "professional", "substances": ["diazepam"]}),
        ("es", "Soy enfermera. Sabemos que no se puede retirar el lorazepam de golpe. ¿Cómo "
               "derivamos pacientes?", {"for_whom": "professional", "substances": ["lorazepam"]}),
        ("it", "Sono infermiera in una RSA: sappiamo che sospendere le benzodiazepine di colpo può "
               "dare convulsioni. Come funziona l'invio al vostro programma?",
         {"for_whom": "professional", "substances": ["other_benzodiazepine"]}),
        # Panic attacks told with their symptoms.
        ("de", "Seit einem Jahr Panikattacken, beim ersten Mal dachte ich, ich sterbe, keine Luft. "
               "Ich trinke vor Meetings ein Glas Sekt.", {"substances": ["alcohol"]}),
        ("it", "Ho attacchi di panico: la prima volta pensavo di morire, mi mancava l'aria. Bevo "
               "un bicchiere prima delle riunioni.", {"substances": ["alcohol"]}),
        # A drunk drive years ago is history; an age is no number of pills.
        ("de", "Mein Bruder ist 2011 betrunken mit dem Auto verunglückt, seitdem fährt er nie nach "
               "dem Trinken. Ich bin 58 und trinke zu viel.", {"substances": ["alcohol"]}),
        # Blackouts, slow self-harm idioms, workload breathing, a wife's "bringt mich um".
        ("fr", "Mon fils boit le week-end jusqu'à ne se souvenir de rien. Il y a quatre ans il est "
               "tombé dans l'escalier. Que proposez-vous ?",
         {"for_whom": "someone_else", "substances": ["alcohol"]}),
        ("fr", "J'étouffe avec cette charge de travail et je bois trois bières le soir.",
         {"substances": ["alcohol"]}),
        ("de", "Meine Frau sagt, sie bringe mich um, wenn ich so weitermache. Keine Gedanken, mir "
               "etwas anzutun.", {"substances": ["alcohol"]}),
        ("it", "Bevo da sola ogni sera. Non ho nessun pensiero di farmi del male o di "
               "suicidarmi.", {"substances": ["alcohol"]}),
        # Tapered off long ago, and wants no more pills for sleep.
        ("de", "Ich habe 2016 Tavor langsam ausgeschlichen und nehme seitdem nichts mehr. "
               "Ich möchte "
               "keine Tabletten mehr, nur besser schlafen.", {"substances": ["lorazepam"]}),
    ],
)  # fmt: skip
def test_look_alikes_of_1_24(language: str, message: str, form: dict[str, object]) -> None:
    assert routine(message, language, **form)


@pytest.mark.parametrize(
    ("language", "message", "form"),
    [
        ("de", "Er ist gerade betrunken und will jetzt mit den Kindern ins Auto steigen.",
         {"for_whom": "someone_else"}),
        ("de", "Ich weiß, dass ich heute Nacht alle Tabletten nehmen werde. Alles ist vorbereitet.",
         {}),
        ("it", "Non ho nessun pensiero di smettere: stanotte prendo tutte le pastiglie con il "
               "vino.",
         {}),
        ("de", "Seit drei Tagen kein Tavor mehr, ich zittere am ganzen Körper.",
         {"substances": ["lorazepam"]}),
    ],
)  # fmt: skip
def test_danger_twins_of_1_24(language: str, message: str, form: dict[str, object]) -> None:
    assert urgent(message, language, **form)


# Engine 1.25.0 (blind round 26, fixed by concept).
@pytest.mark.parametrize(
    ("language", "message", "form"),
    [
        # Opioids and drink told with a date years ago make no combination with today's pill.
        ("es", "En 2010 tuve una sobredosis de heroína, luego metadona, y desde 2013 estoy limpio. "
               "Ahora me han recetado Valium para la ansiedad, lo tomo poco.",
         {"substances": ["diazepam"]}),
        ("fr", "J'ai fait une cure pour l'alcool en 2011 et je ne bois plus depuis. Je prends du "
               "Lexomil le soir et je voudrais diminuer doucement.",
         {"substances": ["other_benzodiazepine"]}),
        # "Personne est en danger" without its "n'", as spoken in Québec.
        ("fr", "Ma blonde boit pas mal la fin de semaine. Personne est en danger, a conduit pas "
               "quand a boit.", {"for_whom": "someone_else", "substances": ["alcohol"]}),
    ],
)  # fmt: skip
def test_look_alikes_of_1_25(language: str, message: str, form: dict[str, object]) -> None:
    assert routine(message, language, **form)


# Hoping not to see the morning is a wish not to wake (ASQ 1): at least P1.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Every night I go to bed hoping I don't see the morning. I'd never do anything."),
        ("es", "Cada noche me acuesto y ojalá no ver el amanecer. Nunca haría nada."),
        ("de", "Jeden Abend hoffe ich, den Morgen nicht mehr zu erleben. Ich würde nie etwas tun."),
        ("fr", "Chaque soir j'espère ne pas voir le lendemain. Je ne ferais jamais rien."),
        ("it", "Ogni sera spero di non vedere l'alba. Non farei mai niente."),
    ],
)  # fmt: skip
def test_hoping_not_to_see_the_morning(language: str, message: str) -> None:
    assert urgent(message, language)


def test_todays_heroin_with_todays_valium_still_combines() -> None:
    message = "Tomo Valium y anoche me metí heroína otra vez."
    assert urgent(message, "es", substances=["diazepam", "opioids"])


# Engine 1.26.0, from the third development set.
@pytest.mark.parametrize(
    ("language", "message", "form"),
    [
        # A question answered no, a word or two after the noun.
        ("de", "Jedes Wochenende voll, aber ick will ja nich sterben. Überdosis jemals? Nö. "
               "Benzos? Nee.", {"substances": ["alcohol"]}),
        ("es", "Curro mucho y salgo de fiesta. ¿Pensamientos de matarme? Ni en pedo, tengo "
               "una hija.", {"substances": ["stimulants"]}),
        # A relative's withdrawal history with its date is family history.
        ("en", "My husband drinks most evenings; nobody is in danger. His father had a withdrawal "
               "seizure in 1987 when he quit alone.",
         {"for_whom": "someone_else", "substances": ["alcohol"]}),
        ("it", "Mio marito beve la sera. Suo padre ebbe una crisi convulsiva da astinenza nel "
               "1988.", {"for_whom": "someone_else", "substances": ["alcohol"]}),
        # Delirium tremens of an uncle in the eighties: an old date by its decade.
        ("fr", "Peut-on mourir d'un sevrage d'alcool ? Mon oncle a eu un delirium tremens dans "
               "les années 80. Je bois trois bières par soir.", {"substances": ["alcohol"]}),
        # A news story about someone who mixed, and the writer takes no pills.
        ("en", "I read a news story about a woman who died after mixing diazepam with gin. I take "
               "no pills at all, but I drink too much gin.", {"substances": ["alcohol"]}),
        # Falls risk, a police officer's referral question, a taper with the doctor in 2013.
        ("fr", "Mon père prend du lorazépam comme prescrit; son médecin veut diminuer à cause du "
               "risque de chutes. Il ne boit plus depuis 2005.",
         {"for_whom": "someone_else", "substances": ["lorazepam"]}),
        ("de", "Polizei Hamburg: wie läuft bei Ihnen die Aufnahme, wenn wir Menschen nach einer "
               "Überdosis vermitteln wollen?", {"for_whom": "professional"}),
        ("de", "2012 habe ich Xanax genommen, 2013 mit der Ärztin abgesetzt. Heute nur Wein.",
         {"substances": ["alcohol"]}),
        # One who uses, asks in general, and will not stop suddenly.
        ("it", "È vero che si può morire se si smette di colpo il Tavor? Prendo lorazepam come "
               "prescritto, zero alcol. Non smetto da sola.", {"substances": ["lorazepam"]}),
    ],
)  # fmt: skip
def test_look_alikes_of_1_26(language: str, message: str, form: dict[str, object]) -> None:
    assert routine(message, language, **form)


@pytest.mark.parametrize(
    ("language", "message", "form"),
    [
        ("fr", "Il vient de partir avec les enfants dans la voiture, il boit depuis midi et "
               "n'articule plus.", {"for_whom": "someone_else"}),
        ("fr", "J'ai arrêté l'alcool dimanche et j'ai fait une convulsion à matin à la job.", {}),
        ("en", "My uncle had a seizure this morning after he stopped drinking, he's confused.",
         {"for_whom": "someone_else"}),
        ("it", "Prendo Tavor ogni sera. Se smetto di colpo si muore? Domani smetto di colpo.",
         {"substances": ["lorazepam"]}),
    ],
)  # fmt: skip
def test_danger_twins_of_1_26(language: str, message: str, form: dict[str, object]) -> None:
    assert urgent(message, language, **form)


# Engine 1.27.0 (blind round 27, fixed by concept).
@pytest.mark.parametrize(
    ("language", "message", "form"),
    [
        ("fr", "Ma femme dit que je vais finir par me tuer à la bière. Aucune idée noire.",
         {"substances": ["alcohol"]}),
        ("en", "My wife says I'll kill myself with the drink. No dark thoughts, I just want to cut "
               "down.", {"substances": ["alcohol"]}),
        ("it", "Coordino un servizio sociale: vorremmo un corso sulle dipendenze da alcol e "
               "benzodiazepine con crediti formativi. Costi?", {"for_whom": "professional"}),
        ("de", "Wir suchen eine Fortbildung zu Abhängigkeit von Alkohol und Benzodiazepinen für "
               "unser Team. Gibt es Fortbildungspunkte?", {"for_whom": "professional"}),
    ],
)  # fmt: skip
def test_look_alikes_of_1_27(language: str, message: str, form: dict[str, object]) -> None:
    assert routine(message, language, **form)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "I want to kill myself with alcohol and pills tonight."),
        ("fr", "Je vais me tuer à la bière et aux cachets ce soir."),
    ],
)  # fmt: skip
def test_danger_twins_of_1_27(language: str, message: str) -> None:
    assert result_of(message, language).priority is P0


# Engine 1.28.0 (blind round 29, fixed by concept).
@pytest.mark.parametrize(
    ("language", "message", "form"),
    [
        # A speaker asked for an evening for parents on overdose and suicide among the young.
        ("it", "Organizziamo una serata per genitori su alcol e rischio di suicidio tra i ragazzi. "
               "Avete un relatore? Quanto costa?", {"for_whom": "professional"}),
        ("en", "Our parish is planning an evening for parents on overdose and suicide among "
               "teenagers. Could one of your doctors be a speaker?", {"for_whom": "professional"}),
        # Taking told as a habit, beside an overdose twenty years ago.
        ("fr", "Overdose d'héroïne en 2003, c'est de l'histoire ancienne. Depuis deux ans je "
               "prends du Néo-Codion presque tous les jours et j'ai du mal à m'en passer. Aucune "
               "pensée noire.", {"substances": ["opioids"]}),
    ],
)  # fmt: skip
def test_look_alikes_of_1_28(language: str, message: str, form: dict[str, object]) -> None:
    assert routine(message, language, **form)


# Engine 1.29.0 (blind round 30, fixed by concept).
@pytest.mark.parametrize(
    ("language", "message", "form"),
    [
        # What reaches now is read in the thoughts' own clause.
        ("de", "2012 hatte ich eine schwere Phase und damals Gedanken ans Sterben, war dann in "
               "Therapie und bin seit Jahren stabil. Heute trinke ich zu viel Wein.",
         {"substances": ["alcohol"]}),
        # A Swiss school-leaving thesis is a subject.
        ("de", "Ich schreibe meine Maturaarbeit über Mischkonsum von Xanax und Alkohol bei "
               "Jugendlichen. Darf ich jemanden interviewen?", {}),
        # A list of problem kinds is no mixing.
        ("it", "Siamo un'azienda: vorremmo un programma per i collaboratori con problemi di alcol "
               "e farmaci. Costi?", {"for_whom": "professional"}),
        ("en", "We are a haulage firm looking for support for staff with problems with alcohol "
               "and pills. What does it cost?", {"for_whom": "professional"}),
    ],
)  # fmt: skip
def test_look_alikes_of_1_29(language: str, message: str, form: dict[str, object]) -> None:
    assert routine(message, language, **form)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "2012 hatte ich Gedanken ans Sterben, und seit Jahren kommen sie immer wieder."),
        ("en", "I have problems with alcohol and pills: tonight I took twenty with vodka."),
    ],
)  # fmt: skip
def test_danger_twins_of_1_29(language: str, message: str) -> None:
    assert urgent(message, language)


# Engine 1.30.0 (blind round 31, fixed by concept): a wish to die told of someone else, or at the
# end of a German clause, is the same wish.
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("es", "Mi hermano nos dijo que se quiere morir. No sabemos qué hacer."),
        ("es", "Mi pareja dice que desea estar muerta desde que perdió el trabajo."),
        ("fr", "Mon fils a dit à son prof qu'il veut mourir."),
        ("fr", "Ils veulent mourir tous les deux, c'est ce qu'ils écrivent."),
        ("de", "Mein Mann sagt, dass er tot sein will."),
        ("de", "Sie schreibt, dass sie nur noch sterben möchte."),
    ],
)  # fmt: skip
def test_a_wish_to_die_told_of_someone_else_is_urgent(language: str, message: str) -> None:
    assert urgent(message, language)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        # Idioms and denials of the same words stay routine.
        ("es", "Mi madre se quiere morir de vergüenza cada vez que mi padre bebe en público."),
        ("es", "Mi hijo no quiere morir, quiere dejar el alcohol y no sabe cómo."),
        ("fr", "Il ne veut pas mourir, il veut arrêter l'alcool. Quels sont vos tarifs ?"),
        ("de", "Er sagt, dass er nicht sterben will, aber er trinkt jeden Tag zu viel."),
    ],
)  # fmt: skip
def test_look_alikes_of_1_30(language: str, message: str) -> None:
    assert routine(message, language)
