# ruff: noqa: E501  (data: real messages are long lines)
"""Held-out round 4: fresh inquiries written from TRIAGE.md only, before reading the lexicons or tests.

Deliberately different in style from rounds 1-3: very short messages ("help. pills.", "auxilio"),
voice-to-text with no punctuation, ALL CAPS, heavy typos and phonetic spelling of key words and
drug names ("suisid", "sucidio", "suizit", "xananx", "clonacepam", "lorazepan"), emoji, parents
writing about teenagers, partners, colleagues, doctors' referrals, price and insurance questions
with one risk sentence buried inside, and routine messages full of near-miss words. The languages
are not translations of each other. Labels follow TRIAGE.md (see heldout_round3.py for the
summary). Today's date for "in October"/"in September": late November 2026.
"""

from __future__ import annotations

from typing import Any

Case = tuple[str, str] | tuple[str, str, dict[str, Any]]

_OTHER = {"for_whom": "someone_else"}
_PRO = {"for_whom": "professional"}

EN: list[Case] = [
    # --- P0 ---
    ("P0", "took the whole bottle of my moms xananx like 20 min ago feel weird"),
    ("P0", "SUICDE NOTE IS WRITTEN. TONIGHT."),
    (
        "P0",
        "my 15yo daughter locked herself in the bathroom says shes going to cut deep this time and wont open the door",
        _OTHER,
    ),
    (
        "P0",
        "hes not waking up theres an empty vodka bottle and his klonopins all over the floor",
        _OTHER,
    ),
    ("P0", "had a fit this morning shaking on the floor, 3 days after i stopped the diazapam"),
    ("P0", "help. swallowed pills."),
    ("P0", "im on the bridge rn i cant do this anymore 😭😭"),
    (
        "P0",
        "my partner keeps talking to people who arent there and doesnt know what year it is, been off his lorazepan 4 days",
        _OTHER,
    ),
    (
        "P0",
        "a colleague just told me she has the rope ready and is going to do it after work today. what do i do",
        _OTHER,
    ),
    (
        "P0",
        "Pt 34F, OD on clonacepam + oxycodone approx 1h ago, RR 8, drowsy. Requesting urgent advice re admission.",
        _PRO,
    ),
    ("P0", "breathing real slow and his lips r blue hes on heroin and xanny", _OTHER),
    ("P0", "i wanna kill my self right now i have the pills in my hand"),
    (
        "P0",
        "hi yes im calling about my brother he took a lot of his sleeping pills and some valium on purpose and hes very sleepy now can you help",
        _OTHER,
    ),
    ("P0", "gonna end it all tonite 💊💊💊 goodbye"),
    # --- P1 ---
    ("P1", "some days i wish i could just not wake up"),
    ("P1", "honestly everyone would be better off without me"),
    ("P1", "been on ativan 2mg every day for 3 yrs, pharmacy out of stock, last pill tomorrow"),
    ("P1", "i take valium every day for two years. quitting cold turkey on monday, done with it"),
    (
        "P1",
        "how much do you charge for outpatient detox? do you take cigna? also i mix my xannies with a few beers most nights is that bad lol",
    ),
    (
        "P1",
        "my son (17) told his teacher he thinks about suicide a lot. we are worried sick",
        _OTHER,
    ),
    ("P1", "tried to end it back in 2019, doing better but struggling again"),
    ("P1", "had a seizure last year when i came off klonopin, want to taper properly this time"),
    ("P1", "suicidal thoughts on and off since summer, no plan"),
    ("P1", "ODd in september, ended up in the ER, want help now"),
    ("P1", "lorazepam and methadone together every day, is that ok?"),
    ("P1", "ALPRAZOLAM + ALCOHOL EVERY WEEKEND. NEED HELP"),
    (
        "P1",
        "hi what does detox cost and is it covered by my insurance. ive been drinking a bottle of vodka a day and taking my wifes valium to sleep. what are your hours",
    ),
    ("P1", "sucidal thougts again"),
    # --- P2 ---
    ("P2", "help pls"),
    ("P2", "need to get off my benzos slowly, my doctor is on board, how do i start"),
    ("P2", "drinking too much wine since the divorce, want to cut down"),
    ("P2", "my teenager vapes weed every day, can we get an appointment?", _OTHER),
    ("P2", "im dying to get my life back on track, can i book an intake?"),
    ("P2", "this anxiety is killing me. not suicidal at all, just need therapy"),
    (
        "P2",
        "never had any suicidal thoughts, i just cant sleep without my xanax anymore and want to reduce it with a doctor",
    ),
    ("P2", "my dad drinks every night and gets grumpy, how can we get him some help", _OTHER),
    # --- P3 ---
    ("P3", "how much is a consultation? do you take BUPA?"),
    ("P3", "HR here - we'd like to book an overdose awareness talk for our staff"),
    (
        "P3",
        "student nurse writing an essay on benzodiazepine withdrawal seizures, could i interview someone?",
    ),
    ("P3", "what are your opening hours on weekends"),
    ("P3", "is it true you can die from stopping xanax suddenly? asking for a school project"),
]

ES: list[Case] = [
    # --- P0 ---
    ("P0", "auxilio mi hijo se tomo todas las pastillas de rivotril y no despierta", _OTHER),
    ("P0", "ya tengo todo listo para matarme esta noche perdon"),
    ("P0", "me tome 30 diacepam con ron ayudaa"),
    ("P0", "mi novia esta convulsionando ahora mismo que hago", _OTHER),
    (
        "P0",
        "mi mama no sabe donde esta, ve bichos en las paredes, dejo el lorazepan de golpe hace 3 dias",
        _OTHER,
    ),
    ("P0", "QUIERO MORIRME YA TENGO LA CUERDA"),
    ("P0", "respira muy raro muy lento despues de tomar alprazolam y metadona", _OTHER),
    (
        "P0",
        "Dra. Ruiz: paciente con intento de suicidio hace 2 semanas con benzodiacepinas, solicito ingreso",
        _PRO,
    ),
    ("P0", "estoy en la azotea y voy a saltar"),
    ("P0", "sucidio hoy. adios a todos"),
    (
        "P0",
        "mi hermano dice que se va a pegar un tiro esta noche y tiene el arma en la mano",
        _OTHER,
    ),
    ("P0", "me corte las venas no para de sangrar 😢"),
    # --- P1 ---
    ("P1", "a veces pienso que seria mejor estar muerta"),
    ("P1", "mi familia estaria mejor sin mi"),
    (
        "P1",
        "tomo clonacepam todos los dias hace 4 años y se me acaba el viernes, el medico no me da receta",
    ),
    (
        "P1",
        "cuanto cuesta la consulta? aceptan adeslas? por cierto mezclo el tranquimazin con cerveza casi todos los dias",
    ),
    ("P1", "mi hija de 16 se corta los brazos y dice que piensa en suicidarse", _OTHER),
    ("P1", "hace dos años intente quitarme la vida"),
    ("P1", "voy a dejar el orfidal de golpe mañana, lo tomo cada noche desde hace años"),
    ("P1", "pensamientos de suicidio desde hace meses pero no tengo plan"),
    ("P1", "tuve una sobredosis en octubre"),
    ("P1", "tengo idea suicidas"),
    ("P1", "tomo valium con tramadol para el dolor de espalda"),
    ("P1", "ojala no despertara mañana"),
    # --- P2 ---
    ("P2", "auxilio"),
    ("P2", "me muero de ganas de empezar la terapia, cuando hay cita?"),
    ("P2", "bebo demasiado los fines de semana y quiero parar"),
    ("P2", "nunca he pensado en suicidarme pero estoy muy deprimido y necesito ayuda"),
    ("P2", "quiero dejar el lorazepam poco a poco con ayuda de un medico"),
    ("P2", "mi hijo fuma porros todos los dias, que hacemos", _OTHER),
    ("P2", "me mata este insomnio jaja necesito cita"),
    # --- P3 ---
    ("P3", "precio de la consulta y aceptan sanitas?"),
    (
        "P3",
        "soy estudiante de medicina, hago un trabajo sobre sobredosis de benzodiacepinas, me pueden dar datos?",
    ),
    ("P3", "horario de atencion?"),
    (
        "P3",
        "trabajo en recursos humanos, ofrecen talleres de prevencion del suicidio para empresas?",
    ),
    ("P3", "cuanto cuesta el programa de desintoxicacion de 3 semanas"),
]

DE: list[Case] = [
    # --- P0 ---
    ("P0", "hilfe mein mann atmet kaum noch nach tavor und schnaps", _OTHER),
    ("P0", "ich bring mich heut nacht um. alles geregelt"),
    ("P0", "hab grad alle tabletten geschluckt"),
    ("P0", "meine tochter 14 krampft gerade am boden", _OTHER),
    ("P0", "SUIZIT HEUTE ABEND ich hab die tabletten schon gesammelt"),
    (
        "P0",
        "mein vater ist total verwirrt erkennt uns nicht mehr seit er das diazepam abgesetzt hat",
        _OTHER,
    ),
    ("P0", "kollege sagt er springt gleich vom dach ich bin bei ihm was soll ich tun", _OTHER),
    (
        "P0",
        "Sehr geehrte Kollegen, Überweisung: Pat. 52 J., Krampfanfall heute früh im Lorazepam-Entzug, jetzt wach, bitte um Aufnahme.",
        _PRO,
    ),
    ("P0", "mein freund ist nicht wach zu kriegen hat fentanyl und xanax genommen", _OTHER),
    ("P0", "hab mir die pulsadern aufgeschnitten es blutet stark"),
    ("P0", "er sieht dinge die nicht da sind und redet wirres zeug, seit gestern", _OTHER),
    ("P0", "will nicht mehr leben hab 40 diazepan vor mir liegen"),
    # --- P1 ---
    ("P1", "manchmal wünschte ich ich wäre tot"),
    ("P1", "wäre für alle besser wenn ich nicht mehr da wäre"),
    ("P1", "nehme seit jahren täglich tavor, ab morgen lass ichs einfach weg"),
    (
        "P1",
        "was kostet ein stationärer aufenthalt? zahlt die tk? ich trinke abends meinen wein zum diazepam",
    ),
    ("P1", "unser sohn (16) hat im chat geschrieben dass er an selbstmord denkt", _OTHER),
    ("P1", "hatte vor 2 jahren einen suizidversuch"),
    ("P1", "hatte beim letzten entzug von rivotril einen krampfanfall"),
    ("P1", "suizidgedanken seit wochen"),
    ("P1", "meine lorazepam (nehm ich jeden tag) sind fast alle, ärztin im urlaub"),
    ("P1", "bin im september mit überdosis im krankenhaus gelandet"),
    ("P1", "oxycodon und alprazolam zusammen, jeden tag"),
    ("P1", "möchte einfach tot sein 😔"),
    # --- P2 ---
    ("P2", "hilfe bitte schnell"),
    ("P2", "trinke zu viel bier will aufhören"),
    ("P2", "keine suizidgedanken, aber ich komm nicht mehr klar"),
    ("P2", "will langsam vom diazepam runter, mit ärztlicher begleitung"),
    ("P2", "die arbeit bringt mich noch um 🙄 brauche einen termin wegen burnout"),
    ("P2", "meine tochter kifft, was können wir tun", _OTHER),
    # --- P3 ---
    ("P3", "übernimmt die AOK die kosten?"),
    ("P3", "wie teuer ist ein erstgespräch"),
    ("P3", "wir sind ein betrieb und suchen suchtberatung für mitarbeiter"),
    ("P3", "für meine bachelorarbeit: wie gefährlich ist ein abrupter benzo-entzug?"),
    ("P3", "öffnungszeiten am samstag?"),
]

FR: list[Case] = [
    # --- P0 ---
    ("P0", "jai avalé toute la boite de xanax aidez moi"),
    ("P0", "mon fils fait une crise d'épilepsie maintenant", _OTHER),
    ("P0", "je vais me suicider ce soir j ai tout preparé"),
    ("P0", "ma copine respire presque plus apres ses lysanxia et du vin", _OTHER),
    ("P0", "je suis sur le pont je vais sauter"),
    (
        "P0",
        "ma mère délire, elle voit des gens dans la chambre, elle a arrêté son seresta d'un coup",
        _OTHER,
    ),
    ("P0", "SUICID CE SOIR"),
    (
        "P0",
        "Cher confrère, patient 40 ans, intoxication médicamenteuse volontaire aux benzodiazépines il y a 3 semaines, demande d'admission.",
        _PRO,
    ),
    ("P0", "mon mari est inconscient impossible de le réveiller morphine et rivotril", _OTHER),
    ("P0", "il a une arme et menace de tuer sa femme maintenant", _OTHER),
    ("P0", "convulsions ce matin apres arret du lorazepam"),
    ("P0", "g pri tou mé cachet pour en finir"),
    # --- P1 ---
    ("P1", "j'aimerais être morte parfois"),
    ("P1", "ma famille serait mieux sans moi"),
    ("P1", "je prends du temesta tous les jours depuis 5 ans et j'arrête net demain"),
    (
        "P1",
        "combien coûte une cure? c'est remboursé? je prends du xanax avec de l'alcool presque chaque soir",
    ),
    ("P1", "ma fille de 15 ans a des idées suicidaires", _OTHER),
    ("P1", "tentative de suicide il y a 3 ans"),
    ("P1", "j'ai fait une crise convulsive en arrêtant le valium l'année dernière"),
    (
        "P1",
        "plus que 2 comprimés de lexomil, je le prends chaque jour, pas de médecin avant 2 semaines",
    ),
    ("P1", "overdose en octobre, je veux de l'aide"),
    ("P1", "je prends du rivotril avec de la codéine"),
    ("P1", "envie de mourir 😞"),
    ("P1", "je pense au suicde tout le temps"),
    # --- P2 ---
    ("P2", "au secours"),
    ("P2", "je meurs d'envie de commencer une thérapie"),
    ("P2", "je bois trop depuis mon licenciement"),
    ("P2", "aucune idée suicidaire, juste une grosse déprime"),
    ("P2", "sevrage progressif du lorazepam avec mon médecin, vous pouvez suivre?"),
    ("P2", "ce boulot me tue, besoin de parler à quelqu'un"),
    # --- P3 ---
    ("P3", "tarifs? remboursé par la mutuelle?"),
    ("P3", "je suis infirmière scolaire, avez-vous des brochures sur la prévention du suicide?"),
    ("P3", "horaires d'ouverture svp"),
    ("P3", "entreprise de 200 salariés, vous proposez des formations sur les addictions?"),
    ("P3", "combien de temps dure le programme résidentiel"),
]

IT: list[Case] = [
    # --- P0 ---
    ("P0", "ho preso tutte le pastiglie di xanax aiuto"),
    ("P0", "mio figlio ha le convulsioni adesso", _OTHER),
    ("P0", "stanotte mi ammazzo ho gia tutto pronto"),
    ("P0", "mia moglie non si sveglia ha preso le en e il vino", _OTHER),
    ("P0", "mio padre e confuso non sa dove si trova da ieri, ha smesso il tavor", _OTHER),
    ("P0", "SUICIDIO STASERA"),
    ("P0", "sono sul tetto voglio buttarmi"),
    ("P0", "respira pianissimo dopo metadone e rivotril", _OTHER),
    (
        "P0",
        "Collega psichiatra: paziente con tentato suicidio con benzodiazepine 10 giorni fa, chiedo ricovero.",
        _PRO,
    ),
    ("P0", "mio fratello ha un coltello e dice che ammazza nostra madre adesso", _OTHER),
    ("P0", "crisi epilettica stamattina, sto togliendo il lorazepam"),
    ("P0", "mi sono tagliata le vene aiutatemi"),
    # --- P1 ---
    ("P1", "a volte vorrei essere morto"),
    ("P1", "la mia famiglia starebbe meglio senza di me"),
    ("P1", "prendo xanax ogni giorno da anni e domani smetto di colpo"),
    ("P1", "quanto costa la visita? ah bevo birra con il mio lexotan ogni sera"),
    ("P1", "mia figlia 16 anni pensa al suicidio", _OTHER),
    ("P1", "ho tentato il suicidio 4 anni fa"),
    ("P1", "ho avuto una crisi convulsiva quando ho smesso il valium"),
    ("P1", "finisco il tavor dopodomani, lo prendo tutti i giorni, il medico non risponde"),
    ("P1", "overdose a ottobre, finita al pronto soccorso"),
    ("P1", "en gocce e ossicodone insieme"),
    ("P1", "pensieri suicidi"),
    ("P1", "vorrei morire 💔"),
    # --- P2 ---
    ("P2", "aiuto"),
    ("P2", "muoio dalla voglia di iniziare, quando posso venire?"),
    ("P2", "bevo troppo da quando ho perso il lavoro"),
    ("P2", "non ho mai pensato al suicidio ma sto male"),
    ("P2", "voglio scalare lo xanax piano piano con il medico"),
    ("P2", "mio figlio fuma canne tutti i giorni", _OTHER),
    # --- P3 ---
    ("P3", "quanto costa? siete convenzionati con il SSN?"),
    (
        "P3",
        "sono una studentessa, tesi sull'overdose da benzodiazepine, posso fare qualche domanda?",
    ),
    ("P3", "orari?"),
    ("P3", "siamo un'azienda, cerchiamo formazione sulla prevenzione delle dipendenze"),
    ("P3", "il programma residenziale quanto dura"),
]

ALL: dict[str, list[Case]] = {"en": EN, "es": ES, "de": DE, "fr": FR, "it": IT}
