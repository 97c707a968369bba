# ruff: noqa: E501  (data: real messages are long lines)
"""Held-out round 3: fresh inquiries written before reading the lexicons or the other cases.

Written from TRIAGE.md and API.md only, as people write to a clinic's contact form at night on a
phone (typos, no accents, slang, code-switching, danger buried in long messages, understatement,
third parties, clinical referrals). Keep it honest: when a line misses, fix the rules with a
general pattern, never by copying the sentence into a lexicon. Labels follow TRIAGE.md:

* P0 - danger now: plan/intent/means ready, farewell with a plan, pills taken, overdose now,
  attempt in progress or within the past 3 months, seizure now or in the last 24 h,
  confusion/hallucinations now, slow breathing or cannot be woken, someone in immediate danger,
  ASQ acuity item yes;
* P1 - wish to be dead, better off dead, thoughts of suicide, self-harm, an older attempt, a
  benzodiazepine with opioids or alcohol, daily benzodiazepine stopped/stopping abruptly/running
  out, a past withdrawal seizure or delirium, an overdose in the past 3 months, a positive or
  declined ASQ item;
* P2 - a person asking for help with no risk answer positive;
* P3 - information only (prices, programmes, companies, students, referral pathways).

Today's date for "in October"/"in September" style cases: late November 2026.
"""

from __future__ import annotations

from typing import Any

Case = tuple[str, str] | tuple[str, str, dict[str, Any]]

_NO = {
    "wish_dead": "no",
    "better_off_dead": "no",
    "thoughts_killing_self": "no",
    "ever_tried": "no",
}
_OTHER = {"for_whom": "someone_else"}
_PRO = {"for_whom": "professional"}

EN: list[Case] = [
    # --- P0 ---
    (
        "P0",
        "hi sorry its late. ive been drinking since noon and took like 8 of my xanax bars maybe more i dont really remember. my chest feels weird and i cant keep my eyes open. not sure why im writing this",
    ),
    (
        "P0",
        "My husband had a fit about 2 hours ago on the kitchen floor, he stopped drinking on friday cold turkey. hes awake now but confused, doesnt know what day it is or who I am. do you take people tonight??",
        _OTHER,
    ),
    (
        "P0",
        "I've made my peace with everything. gave my guitar to my brother and wrote letters to the kids. just wanted someone to know that I did try to get help once. thanks for what you do",
    ),
    ("P0", "i dont think ill be around much longer tbh. the rope is in the garage. whatever"),
    (
        "P0",
        "Hello, I'm writing to ask about your residential programme for alcohol. I'm 44, been drinking roughly a bottle of vodka a day for six years, lost my licence last year and my wife has been incredibly patient. I work in logistics and could probably take 4 weeks off if my manager agrees. I'd like to know about prices and whether Bupa would cover any of it, and whether I can keep my phone. Honestly not sure it matters anymore, the pills are counted out on the table and tonight is the night if nobody answers.",
    ),
    (
        "P0",
        "flatmate is on the bathroom floor snoring weird and i cant wake him up. he does H and had some roxies earlier. what do i do",
        _OTHER,
    ),
    (
        "P0",
        "tried to hang myself three weeks ago, the cord snapped. been out of hospital a week. need a detox place for the drink",
    ),
    (
        "P0",
        "Referral: 32M, hx of OD x2, current SI with plan (stockpiling methadone), w/d seizures 2019. Requesting urgent assessment today please.",
        _PRO,
    ),
    (
        "P0",
        "seeing bugs crawling on the walls and my hands wont stop shaking, its day 3 no booze. my mum says im talking nonsense",
    ),
    (
        "P0",
        "this is goodbye. just wanted to say thanks to the nurse who was kind to me in march. i took all my mums sleeping tablets about 20 min ago",
    ),
    (
        "P0",
        "my son (19) is texting me that he wants to end it tonight and he has a knife, hes not answering my calls. we're in Leeds",
        _OTHER,
    ),
    (
        "P0",
        "keep thinking about jumping off the bridge near my flat, been standing on it the last two nights. right now i just want it all to stop",
    ),
    (
        "P0",
        "kinda embarrassing but i think i overdid it with the oxy and lean tonight, my breathing feels slow and shallow and my lips look kinda blue",
    ),
    (
        "P0",
        "need help with drinking and pills",
        {
            "screen": {
                "wish_dead": "yes",
                "better_off_dead": "no",
                "thoughts_killing_self": "yes",
                "ever_tried": "no",
                "thoughts_now": "yes",
            }
        },
    ),
    (
        "P0",
        "had a seizure this morning after stopping my clonazepam, is there a bed anywhere",
        {"risk": {"seizure_24h": True, "daily_benzo_use": True}},
    ),
    (
        "P0",
        "gf took too many of her klonopins after our fight, shes really drowsy and slurring, said she wanted to sleep forever",
        _OTHER,
    ),
    (
        "P0",
        "Not sure who reads these. I've sorted my will and the dog is going to my neighbour. I won't need the appointment after this weekend, I've decided. Sorry to waste your time.",
    ),
    ("P0", "i wanna kms tonight fr, got enough of my dads heart meds saved up"),
    # --- P1 ---
    (
        "P1",
        "sometimes I wish I just wouldn't wake up. not planning anything, just tired of it all. I drink every night and need to stop",
    ),
    (
        "P1",
        "I tried to kill myself when I was 22, I'm 35 now and mostly ok but the drinking is back. Looking for outpatient",
    ),
    (
        "P1",
        "been on valium 10mg 3x a day for 4 years and my GP is retiring, my script runs out friday and nobody will renew it",
    ),
    (
        "P1",
        "do you help people who mix benzos and alcohol? asking for me. couple of xannies with my wine most nights",
    ),
    (
        "P1",
        "Had the DTs back in 2021 when I tried to quit drinking on my own, ended up in ICU. Want to do it properly this time with medical supervision",
    ),
    (
        "P1",
        "ODed on fent in september, narcan brought me back. still using, want to get on a methadone program",
    ),
    (
        "P1",
        "My family would honestly be better off without me. I'm a mess with the coke and the drink",
    ),
    (
        "P1",
        "I've been cutting my arms again since I relapsed, not deep. Need someone to talk to about rehab",
    ),
    (
        "P1",
        "quitting my ativan cold turkey starting monday, been taking it every day for 2 yrs, just want it out of my life. any tips?",
    ),
    (
        "P1",
        "I would like information on your alcohol programme and costs",
        {
            "screen": {
                "wish_dead": "decline",
                "better_off_dead": "no",
                "thoughts_killing_self": "no",
                "ever_tried": "no",
            }
        },
    ),
    (
        "P1",
        "Patient referral: 58F, daily lorazepam 2mg plus oxycodone for chronic pain, requesting taper support. No SI.",
        _PRO,
    ),
    (
        "P1",
        "having thoughts about suicide on and off for a few weeks, nothing planned. on subs and want to add therapy",
    ),
    (
        "P1",
        "alcohol, want help",
        {
            "screen": {
                "wish_dead": "no",
                "better_off_dead": "no",
                "thoughts_killing_self": "no",
                "ever_tried": "yes",
                "tried_when": "longer",
                "thoughts_now": "no",
            }
        },
    ),
    (
        "P1",
        "honestly whats the point of anything anymore, i'd rather be dead than keep living like this. drinking a litre of cider before work",
    ),
    (
        "P1",
        "ran out of my alprazolam two days ago, was on 2mg daily, feel awful and jittery. can someone see me",
    ),
    # --- P2 ---
    (
        "P2",
        "Hi, I think I have a problem with wine. About a bottle a night, more at weekends. I'd like to talk to someone about options. Best after 6pm",
    ),
    (
        "P2",
        "I'm dying to get my life back on track lol. 6 months clean from meth but struggling. Do you have aftercare groups?",
    ),
    (
        "P2",
        "killing it at work but drinking way too much to cope with the stress, want to cut down before it gets worse",
    ),
    (
        "P2",
        "My dad died of alcoholism years ago and I'm scared I'm going the same way. Can we talk?",
    ),
    ("P2", "stuck in a dead end job and smoking weed all day. need help getting motivated to quit"),
    (
        "P2",
        "I read the withdrawal symptoms article on your site and I recognise myself. Drink 6 cans a day. Want to book an assessment",
    ),
    (
        "P2",
        "No thoughts of suicide or self harm, just want to stop using cocaine at weekends. Can someone call me?",
        {"screen": dict(_NO)},
    ),
    (
        "P2",
        "wanting to get off codeine, been taking co-codamol for back pain way more than I should. not in crisis just need a plan",
    ),
    (
        "P2",
        "My brother keeps relapsing on heroin. He's safe right now and living with us, he finally agreed to get help. how do we start?",
        _OTHER,
    ),
    (
        "P2",
        "nightmare of a year, lost my job, gambling and drinking. want to see someone this week if poss",
    ),
    (
        "P2",
        "I was prescribed diazepam for a short course 2 yrs ago, haven't touched it since. My issue now is alcohol, 4-5 pints most days",
    ),
    ("P2", "need help with my gabapentin use", {"screen": dict(_NO), "substances": ["other"]}),
    (
        "P2",
        "my drinking is killing my marriage. my wife says get help or she leaves. what are the next steps",
    ),
    # --- P3 ---
    ("P3", "How much does the 28 day detox cost and do you take AXA insurance?"),
    ("P3", "Is it dangerous to stop xanax suddenly? writing an essay for my nursing course"),
    (
        "P3",
        "Hello, I'm the HR manager at a logistics firm, we'd like info on employee assistance programmes for substance use",
    ),
    (
        "P3",
        "Do you have a family programme? Dying to know if partners can visit during the residential stay",
    ),
    (
        "P3",
        "What's the difference between your detox and rehab programmes and how long does each take?",
    ),
    (
        "P3",
        "Do you offer naloxone training for staff at our homeless shelter? We had a couple of overdoses on site last year.",
        _PRO,
    ),
    ("P3", "can i visit the clinic before booking? is there parking"),
    ("P3", "do you treat benzodiazepine dependence? whats the usual length of a taper with you"),
    (
        "P3",
        "GP here. What's your referral pathway for patients with alcohol use disorder? Do you accept NHS referrals?",
        _PRO,
    ),
    ("P3", "do u do online sessions? im in Ireland"),
]

ES: list[Case] = [
    # --- P0 ---
    (
        "P0",
        "hola perdon la hora. mi hijo se paso con las pastillas, se tomo toda la caja de rivotril con alcohol y no despierta bien, respira raro",
        _OTHER,
    ),
    (
        "P0",
        "ya no voy a molestar mas. deje todo arreglado, los papeles del seguro y una carta para mi hija. gracias por todo",
    ),
    (
        "P0",
        "llevo 3 dias sin tomar y veo bichos en la pared, no se ni que dia es, mi mujer dice que digo incoherencias",
    ),
    ("P0", "me quiero matar hoy, tengo las pastillas aqui al lado. no se pa que escribo esto"),
    (
        "P0",
        "Buenas noches, escribo por mi marido. Lleva anos bebiendo, ahora casi un litro de whisky al dia. Queria preguntar precios del internamiento, si tienen plazas en diciembre y si Sanitas cubre algo. Ah y esta tarde le dio una convulsion en el salon, se quedo tieso y temblando unos minutos, ahora esta dormido.",
        _OTHER,
    ),
    (
        "P0",
        "intente suicidarme hace un mes con pastillas, sali del hospital y sigo consumiendo. necesito ayuda ya",
    ),
    ("P0", "mi compa de piso se metio caballo y no reacciona, tiene los labios morados", _OTHER),
    ("P0", "no aguanto mas, esta noche me tiro del puente. solo queria que alguien lo supiera"),
    (
        "P0",
        "me tome como 15 trankis y media botella de ron, estoy muy mareado y me cuesta respirar",
    ),
    (
        "P0",
        "Derivacion: varon 40a, ideacion suicida activa con plan estructurado, consumo diario de alprazolam y alcohol. Solicito valoracion urgente hoy.",
        _PRO,
    ),
    ("P0", "tengo la soga preparada, i'm done bro, ya me despedi de mi madre"),
    (
        "P0",
        "mi padre esta muy raro desde ayer, dejo de beber",
        {**_OTHER, "risk": {"confusion": True}},
    ),
    ("P0", "mi novia se corto las venas hace un rato y no para de sangrar, estoy con ella", _OTHER),
    (
        "P0",
        "ayuda con la coca",
        {
            "screen": {
                "wish_dead": "yes",
                "better_off_dead": "yes",
                "thoughts_killing_self": "yes",
                "ever_tried": "no",
                "thoughts_now": "yes",
            }
        },
    ),
    (
        "P0",
        "Mi hermana me acaba de mandar un audio despidiendose, dice que se va a tomar todas las pastillas y no contesta",
        _OTHER,
    ),
    (
        "P0",
        "bueno ya da igual, manana ya no estare aqui para ver como sale. solo queria preguntar los precios pa mi hermano",
    ),
    (
        "P0",
        "mi esposo tuvo un ataque anoche, convulsiono como 2 min, lleva dias sin sus pastillas de clonazepam",
        _OTHER,
    ),
    # --- P1 ---
    (
        "P1",
        "a veces pienso que mi familia estaria mejor sin mi. no tengo plan ni nada, pero lo pienso",
    ),
    (
        "P1",
        "tomo lorazepam todos los dias desde hace 3 anos y se me acaba la receta el lunes, el medico no me la renueva",
    ),
    ("P1", "mezclo roches con birra casi todos los findes, quiero dejarlo"),
    ("P1", "hace 2 anos intente quitarme la vida, ahora estoy mejor pero he vuelto a beber mucho"),
    (
        "P1",
        "tuve un delirium tremens en 2022 cuando deje el alcohol de golpe. quiero desintoxicarme pero con medicos",
    ),
    ("P1", "a veces me dan ganas de desaparecer y no despertar. bebo todas las noches"),
    ("P1", "voy a dejar el clonazepam de golpe, lo tomo diario hace un ano, ya estoy harto"),
    ("P1", "tuve una sobredosis de heroina hace 6 semanas, me salvaron con naloxona. sigo usando"),
    ("P1", "me hago cortes en los brazos cuando bebo, no es para matarme pero no puedo parar"),
    (
        "P1",
        "my therapist said I should write aqui. tengo pensamientos suicidas a veces, no todos los dias. uso ketamina",
    ),
    ("P1", "tomo metadona y diazepam que consigo en la calle"),
    (
        "P1",
        "info sobre el programa",
        {
            "screen": {
                "wish_dead": "decline",
                "better_off_dead": "decline",
                "thoughts_killing_self": "no",
                "ever_tried": "no",
            }
        },
    ),
    ("P1", "estoy temblando muchisimo, deje el rivotril hace 2 dias de golpe, lo tomaba a diario"),
    ("P1", "ojala no despertara manana, la verdad. estoy enganchado al tramadol"),
    # --- P2 ---
    (
        "P2",
        "hola, creo que bebo demasiado, unas 6 cervezas al dia. quiero hablar con alguien. mejor por whatsapp",
    ),
    ("P2", "me muero de ganas de dejar la coca de una vez, llevo 2 anos. como empiezo?"),
    (
        "P2",
        "nunca he pensado en suicidarme, pero los porros me tienen enganchado y no rindo en el curro",
    ),
    ("P2", "mi padre murio de cirrosis y tengo miedo de acabar igual. bebo bastante los findes"),
    (
        "P2",
        "estoy matando el tiempo en el trabajo buscando clinicas. tengo problema con el juego y el alcohol",
    ),
    (
        "P2",
        "mi hermano consume jaco desde hace anos, ahora esta tranquilo en casa y quiere entrar en un programa. como lo hacemos?",
        _OTHER,
    ),
    (
        "P2",
        "Hola! I need help con mi drinking, esta un poco out of control. Can we talk en espanol?",
    ),
    (
        "P2",
        "deje el tramadol hace 2 semanas y estoy bajon, sin ganas de nada, pero nada grave. quiero apoyo",
    ),
    ("P2", "necesito ayuda con las apuestas y la bebida. no es urgente pero quiero empezar ya"),
    ("P2", "Tomaba valium hace anos, ya no. Ahora el tema es la cocaina"),
    (
        "P2",
        "estoy muerto de cansancio con esta situacion del alcohol, quiero un tratamiento ambulatorio",
    ),
    # --- P3 ---
    ("P3", "cuanto cuesta el programa de 30 dias? aceptan Adeslas?"),
    ("P3", "trabajo en RRHH de una empresa y queremos informacion sobre programas para empleados"),
    (
        "P3",
        "es peligroso dejar las benzodiacepinas de golpe? lo pregunto para un trabajo de la uni",
    ),
    ("P3", "tienen atencion en espanol? y horario de visitas?"),
    ("P3", "cuanto dura la desintoxicacion de alcohol normalmente?"),
    ("P3", "hacen terapia online para personas en Mexico?"),
    ("P3", "me muero por saber si tienen programa para familias"),
    ("P3", "soy medico de cabecera, como puedo derivar pacientes a su clinica?", _PRO),
    ("P3", "lei en su web el articulo sobre sobredosis de opioides, dan charlas en colegios?"),
    ("P3", "tienen parking? se puede fumar en el centro?"),
]

DE: list[Case] = [
    # --- P0 ---
    (
        "P0",
        "hab vorhin zu viele Tabletten genommen, Tavor und so, mit Bier. mir is voll schwindlig und ich krieg schlecht luft",
    ),
    (
        "P0",
        "Mein Mann hatte heute Nachmittag einen Krampfanfall, er hat vor 3 Tagen aufgehört zu trinken. Jetzt zittert er stark und redet wirres Zeug.",
        _OTHER,
    ),
    (
        "P0",
        "bald ist alles vorbei. hab alles geregelt, die katze ist bei meiner schwester. danke trotzdem",
    ),
    ("P0", "ich will mich heute nacht umbringen. hab schon alles vorbereitet"),
    (
        "P0",
        "Guten Abend, ich möchte mich nach einem Platz für einen Alkoholentzug erkundigen. Ich trinke seit etwa 10 Jahren, zuletzt eine Flasche Wein und mehrere Bier täglich. Meine Krankenkasse ist die TK, übernimmt die das? Wie lange wartet man? Ich habe übrigens letzten Monat versucht, mir das Leben zu nehmen, war dann 2 Wochen in der Psychiatrie.",
    ),
    (
        "P0",
        "sehe überall spinnen und käfer seit ich nicht mehr trinke. weiss nicht mehr wo ich bin",
    ),
    (
        "P0",
        "mein mitbewohner liegt bewusstlos im bad, der hat heroin und benzos genommen, atmet ganz langsam",
        _OTHER,
    ),
    (
        "P0",
        "ich hab grad ne ganze packung diazepam geschluckt. keine ahnung warum ich hier schreib",
    ),
    (
        "P0",
        "Grüezi, mi Sohn het hüt z'Nacht gschribe er wott nümm lebe und er het es Messer. Er isch nöd erreichbar. Was sölle mir mache?",
        _OTHER,
    ),
    (
        "P0",
        "Überweisung: Pat. 45 J., akute Suizidalität mit konkretem Plan, Alkoholabhängigkeit, Z.n. Entzugskrampfanfall. Bitte heute Rückruf.",
        _PRO,
    ),
    ("P0", "hab mich heute abend von allen verabschiedet. morgen bin ich nicht mehr da. sorry"),
    ("P0", "bitte hilfe", {"risk": {"breathing_difficulty": True}}),
    (
        "P0",
        "Meine Tochter hat gestern Abend versucht sich mit Tabletten umzubringen, sie ist jetzt im Spital. Wir suchen danach eine Therapie für ihre Sucht.",
        _OTHER,
    ),
    ("P0", "i cha nüm. ha d'tablette scho parat für hüt z'nacht"),
    (
        "P0",
        "Mein Freund hat grad einen Anfall, zuckt am ganzen Körper, er hat seit Tagen kein Xanax mehr",
        _OTHER,
    ),
    (
        "P0",
        "Ich hab meinen Frieden gemacht. Wollte nur sagen dass ihr gute Arbeit macht. Heute Nacht ist es soweit.",
    ),
    (
        "P0",
        "meine mutter ist seit heute morgen total verwirrt, erkennt mich nicht, sie trinkt seit jahren und hat am wochenende aufgehört",
        _OTHER,
    ),
    # --- P1 ---
    (
        "P1",
        "manchmal denke ich es wäre besser wenn ich einfach nicht mehr aufwache. konkrete pläne hab ich keine",
    ),
    (
        "P1",
        "Ich nehme seit Jahren täglich Tavor und nächste Woche ist mein Vorrat aufgebraucht, der Arzt verschreibt nichts mehr",
    ),
    ("P1", "trinke abends wein und nehm dazu lorazepam zum schlafen"),
    ("P1", "Vor 5 Jahren hatte ich einen Suizidversuch. Jetzt wieder Probleme mit Kokain."),
    ("P1", "hatte 2020 ein delir beim entzug, will diesmal stationär entziehen"),
    ("P1", "meiner familie ginge es ohne mich besser. ich bin nur eine last"),
    ("P1", "ich will die benzos ab morgen komplett weglassen, nehme sie jeden tag seit 2 jahren"),
    (
        "P1",
        "Hatte im Oktober eine Überdosis mit Fentanyl, wurde wiederbelebt. Konsumiere leider weiter.",
    ),
    ("P1", "ritze mich wieder seit ein paar wochen"),
    ("P1", "Suizidgedanken hab ich schon öfter, aber nicht akut. Brauche Hilfe wegen Alkohol"),
    ("P1", "rivotril und methadon, beides täglich, will runter"),
    (
        "P1",
        "Alkohol",
        {
            "screen": {
                "wish_dead": "no",
                "better_off_dead": "yes",
                "thoughts_killing_self": "no",
                "ever_tried": "no",
                "thoughts_now": "no",
            }
        },
    ),
    ("P1", "Sali zäme, ich nimm jede Tag Temesta und trink au no Bier, c'est pas top je sais"),
    ("P1", "Ich zittere seit gestern total, hab Valium abrupt abgesetzt nach 3 Jahren täglich"),
    (
        "P1",
        "will eigentlich nicht mehr leben, aber trau mich eh nicht. brauch hilfe wegen dem saufen",
    ),
    # --- P2 ---
    ("P2", "Hallo, ich glaube ich trinke zu viel. Möchte gern einen Termin für ein Erstgespräch."),
    ("P2", "Keine Suizidgedanken, aber ich komme vom Kiffen nicht los. Können Sie mir helfen?"),
    (
        "P2",
        "mein vater ist vor jahren am alkohol gestorben und ich merke dass ich auch immer mehr trinke",
    ),
    (
        "P2",
        "Ich sterbe vor Langeweile in meinem Job und trinke deshalb abends zu viel. Möchte was ändern.",
    ),
    (
        "P2",
        "Mein Bruder ist heroinabhängig, er ist gerade stabil und will eine Therapie anfangen. Wie läuft das?",
        _OTHER,
    ),
    ("P2", "Hab früher mal Diazepam genommen, ist lange her. Jetzt geht es um Alkohol."),
    ("P2", "ich arbeite mich tot und trinke jeden abend 4-5 bier. brauche unterstützung"),
    (
        "P2",
        "Hab den Artikel über Entzugserscheinungen auf eurer Seite gelesen und erkenn mich wieder. Wann kann ich kommen?",
    ),
    ("P2", "Möchte mit Kokain aufhören, nehme es am Wochenende. Bitte nur per Mail kontaktieren."),
    ("P2", "Grüezi, ich bruuch Hilf wäge em Alkohol. Am liebschte am Abig aalüte."),
    # --- P3 ---
    ("P3", "Was kostet ein stationärer Entzug bei Ihnen und zahlt das die Krankenkasse?"),
    ("P3", "Ist es gefährlich, Benzodiazepine abrupt abzusetzen? Frage für meine Masterarbeit."),
    (
        "P3",
        "Wir sind ein mittelständisches Unternehmen und suchen Angebote zur Suchtprävention für Mitarbeitende.",
    ),
    ("P3", "wie lange dauert ein alkoholentzug normalerweise?"),
    ("P3", "Bieten Sie auch Online-Therapie an? Ich wohne in Österreich."),
    ("P3", "Ich bin Hausärztin, wie funktioniert die Zuweisung zu Ihnen?", _PRO),
    ("P3", "Gibt es Besuchszeiten für Angehörige?"),
    ("P3", "Haben Sie Infomaterial zur Überdosis-Prävention für unsere Jugendarbeit?"),
    ("P3", "bin gespannt wie ein flitzebogen ob ihr auch familiengruppen anbietet"),
    ("P3", "was kostet es und darf man das handy behalten?"),
]

FR: list[Case] = [
    # --- P0 ---
    ("P0", "jai pris trop de cachets ce soir, du lexomil avec du vin, j'ai du mal a respirer"),
    (
        "P0",
        "mon mari a fait une crise d'epilepsie cet aprem, il a arrete l'alcool d'un coup lundi. maintenant il tremble et dit n'importe quoi",
        _OTHER,
    ),
    ("P0", "je ne serai plus un poids pour personne apres ce soir. j'ai tout prepare."),
    ("P0", "je veux me tuer, j'ai achete des medocs pour ca, c'est pour cette nuit"),
    (
        "P0",
        "Bonjour, je vous écris pour avoir des renseignements sur vos cures de sevrage alcool. J'ai 52 ans, je bois environ une bouteille de rouge plus des bières chaque jour depuis des années. Je voudrais savoir combien ça coûte, si la mutuelle prend en charge, et combien de temps dure le séjour. J'ai fait une tentative de suicide il y a 6 semaines, je suis sorti de l'hôpital mais ça ne va pas mieux.",
    ),
    (
        "P0",
        "je vois des insectes partout, je sais plus ou je suis, ca fait 3 jours que j'ai arrete de boire",
    ),
    (
        "P0",
        "mon coloc est inconscient, il a pris de l'hero et des benzos, il respire tres lentement, j'arrive pas a le reveiller",
        _OTHER,
    ),
    ("P0", "j'ai avale toute la boite de xanax y a 20 minutes"),
    ("P0", "c'est un adieu. merci a l'equipe. j'ai fait la paix avec tout ca, ce soir c'est fini"),
    (
        "P0",
        "Adressage: patient 38 ans, idées suicidaires actives avec scénario, ATCD de sevrage compliqué de convulsions. Merci de rappeler aujourd'hui.",
        _PRO,
    ),
    (
        "P0",
        "Salut, mon fils m'a ecrit qu'il veut en finir ce soir, il a un couteau, il repond plus. On est a Lausanne",
        _OTHER,
    ),
    (
        "P0",
        "ma fille a fait une TS la semaine derniere avec ses medicaments, elle boit beaucoup, on cherche une clinique",
        _OTHER,
    ),
    (
        "P0",
        "alcool",
        {
            "screen": {
                "wish_dead": "yes",
                "better_off_dead": "no",
                "thoughts_killing_self": "yes",
                "ever_tried": "no",
                "thoughts_now": "yes",
            }
        },
    ),
    ("P0", "J'en peux plus, demain je serai plus la. j'ai donne mes affaires a mes potes"),
    (
        "P0",
        "mon copain convulse la maintenant, il prenait du rivotril tous les jours et a tout arrete",
        _OTHER,
    ),
    ("P0", "je vais sauter du pont ce soir, je voulais juste que quelqu'un le sache"),
    (
        "P0",
        "ma mere ne se reveille pas, elle a bu et pris ses somniferes, elle ronfle bizarrement",
        _OTHER,
    ),
    # --- P1 ---
    ("P1", "parfois j'aimerais m'endormir et ne jamais me reveiller. pas de plan, juste epuise"),
    (
        "P1",
        "je prends du temesta tous les jours depuis 5 ans et j'ai plus d'ordonnance, il me reste 3 comprimes",
    ),
    ("P1", "je bois pas mal le soir et je prends du xanax pour dormir"),
    ("P1", "j'ai fait une tentative de suicide il y a 10 ans, la je rechute avec la coke"),
    ("P1", "j'ai fait un delirium tremens en 2019 lors d'un sevrage tout seul"),
    ("P1", "ma famille serait mieux sans moi, je pense ca souvent"),
    ("P1", "je vais arreter le rivotril d'un coup, j'en prends chaque jour depuis 2 ans"),
    ("P1", "overdose d'hero il y a un mois, sauve par la naloxone"),
    ("P1", "je me scarifie depuis quelques semaines quand j'ai bu"),
    ("P1", "idees noires de temps en temps, pas de projet. je prends de la MD tous les weekends"),
    ("P1", "methadone + valium, les deux tous les jours"),
    (
        "P1",
        "renseignements",
        {
            "screen": {
                "wish_dead": "no",
                "better_off_dead": "no",
                "thoughts_killing_self": "no",
                "ever_tried": "decline",
            }
        },
    ),
    (
        "P1",
        "je prends des Temesta chaque jour et je bois des bieres, ca joue pas, faut que j'arrete",
    ),
    (
        "P1",
        "je tremble beaucoup depuis que j'ai arrete le lexomil hier, j'en prenais tous les jours",
    ),
    ("P1", "j'ai envie de mourir des fois, surtout le soir quand j'ai bu"),
    # --- P2 ---
    ("P2", "bonjour je pense que je bois trop, j'aimerais en parler avec quelqu'un"),
    ("P2", "aucune idee suicidaire, mais j'arrive pas a arreter le cannabis"),
    ("P2", "mon pere est mort de l'alcool il y a longtemps, j'ai peur de suivre le meme chemin"),
    ("P2", "je meurs d'envie d'arreter la clope et l'alcool, vous pouvez m'aider ?"),
    (
        "P2",
        "mon frere prend de l'heroine, il est stable en ce moment et veut commencer un traitement",
        _OTHER,
    ),
    ("P2", "j'ai pris du lexomil il y a longtemps, plus maintenant. Mon souci c'est le vin"),
    ("P2", "je me tue au travail et je bois tous les soirs pour decompresser"),
    (
        "P2",
        "j'ai lu l'article sur les symptomes de sevrage sur votre site, je me reconnais. je voudrais un rdv",
    ),
    ("P2", "besoin d'aide pour la cocaine, je prefere etre contacte par mail"),
    (
        "P2",
        "Bonjour, j'ai un probleme avec l'alcool, c'est chaud en ce moment. Possible d'avoir un rdv la semaine prochaine?",
    ),
    # --- P3 ---
    ("P3", "combien coute la cure de 4 semaines ? la mutuelle rembourse ?"),
    ("P3", "est-ce dangereux d'arreter les benzodiazepines brutalement ? c'est pour un expose"),
    (
        "P3",
        "nous sommes une entreprise et cherchons un programme de prevention des addictions pour nos salaries",
    ),
    ("P3", "combien de temps dure un sevrage d'alcool en general ?"),
    ("P3", "vous proposez des consultations en ligne ? j'habite en Belgique"),
    ("P3", "je suis medecin generaliste, comment vous adresser un patient ?", _PRO),
    ("P3", "quels sont les horaires de visite pour la famille ?"),
    ("P3", "je meurs d'envie de savoir si vous avez un programme pour les proches"),
    ("P3", "vous avez de la doc sur la prevention des overdoses pour notre association ?"),
    ("P3", "est-ce qu'on peut garder son portable pendant le sejour ?"),
]

IT: list[Case] = [
    # --- P0 ---
    ("P0", "ho preso troppe pastiglie stasera, xanax con la vodka, faccio fatica a respirare"),
    (
        "P0",
        "mio marito ha avuto una crisi convulsiva oggi pomeriggio, ha smesso di bere di colpo 3 giorni fa. adesso trema e non capisce dove si trova",
        _OTHER,
    ),
    ("P0", "non saro piu un peso per nessuno. ho gia scritto le lettere. addio"),
    ("P0", "voglio ammazzarmi stanotte, ho gia tutto pronto"),
    (
        "P0",
        "Buonasera, vorrei informazioni sul vostro programma residenziale per l'alcol. Ho 47 anni, bevo da circa 15 anni, ultimamente una bottiglia di vino e qualche birra ogni giorno. Quanto costa? L'assicurazione copre qualcosa? Quanto si aspetta per un posto? Devo dire che due mesi fa ho tentato il suicidio e sono stato ricoverato.",
    ),
    ("P0", "vedo insetti sui muri e non so piu dove sono, ho smesso di bere da 3 giorni"),
    (
        "P0",
        "il mio coinquilino e svenuto in bagno, si e fatto di eroina e benzo, respira pianissimo e non si sveglia",
        _OTHER,
    ),
    ("P0", "ho ingoiato tutta la boccetta di En gocce mezz'ora fa"),
    (
        "P0",
        "questo e un addio. grazie a chi mi ha aiutato. ho fatto pace con tutto, stanotte la faccio finita",
    ),
    (
        "P0",
        "Invio paziente: M 36 aa, ideazione suicidaria attiva con piano, pregressa crisi d'astinenza con convulsioni. Richiedo valutazione urgente in giornata.",
        _PRO,
    ),
    (
        "P0",
        "mio figlio mi ha scritto che vuole farla finita stasera, ha un coltello e non risponde piu",
        _OTHER,
    ),
    (
        "P0",
        "mia sorella ha tentato di uccidersi la settimana scorsa con i farmaci, ora e a casa, cerchiamo una comunita",
        _OTHER,
    ),
    (
        "P0",
        "cocaina",
        {
            "screen": {
                "wish_dead": "yes",
                "better_off_dead": "yes",
                "thoughts_killing_self": "yes",
                "ever_tried": "yes",
                "tried_when": "longer",
                "thoughts_now": "yes",
            }
        },
    ),
    ("P0", "non ce la faccio piu, domani non ci saro piu. ho regalato le mie cose"),
    (
        "P0",
        "il mio ragazzo sta avendo le convulsioni adesso, prendeva Rivotril ogni giorno e ha smesso di botto",
        _OTHER,
    ),
    ("P0", "mi butto dal ponte stanotte, volevo solo che qualcuno lo sapesse"),
    (
        "P0",
        "mio padre parla con persone che non ci sono e non sa che giorno e, ha smesso di bere lunedi",
        _OTHER,
    ),
    # --- P1 ---
    ("P1", "a volte vorrei addormentarmi e non svegliarmi piu. nessun piano, solo stanco"),
    ("P1", "prendo il Tavor ogni giorno da 4 anni e la ricetta e finita, mi restano due compresse"),
    ("P1", "bevo vino la sera e prendo il lorazepam per dormire"),
    ("P1", "ho tentato il suicidio anni fa, ora sono ricaduto con la cocaina"),
    ("P1", "ho avuto un delirium tremens nel 2020 durante una disintossicazione da solo"),
    ("P1", "la mia famiglia starebbe meglio senza di me"),
    ("P1", "voglio smettere il Rivotril di colpo, lo prendo ogni giorno da un anno"),
    ("P1", "ho avuto un'overdose di eroina a ottobre, mi hanno salvato col narcan"),
    ("P1", "mi taglio le braccia da qualche settimana"),
    ("P1", "pensieri di suicidio ogni tanto, niente di concreto. uso ketamina"),
    ("P1", "metadone e En gocce tutti i giorni"),
    (
        "P1",
        "alcol",
        {
            "screen": {
                "wish_dead": "yes",
                "better_off_dead": "no",
                "thoughts_killing_self": "no",
                "ever_tried": "no",
                "thoughts_now": "no",
            }
        },
    ),
    ("P1", "prendo lo xanax tutte le sere con un paio di birre"),
    ("P1", "ho tremori forti da quando ho smesso il Tavor ieri, lo prendevo tutti i giorni"),
    ("P1", "vorrei morire certe sere, poi passa. bevo troppo"),
    # --- P2 ---
    ("P2", "ciao, credo di bere troppo, vorrei parlarne con qualcuno"),
    ("P2", "nessun pensiero suicida, ma non riesco a smettere con la cannabis"),
    ("P2", "mio padre e morto di alcolismo anni fa e ho paura di fare la stessa fine"),
    ("P2", "muoio dalla voglia di smettere con la coca, come si inizia?"),
    ("P2", "mio fratello usa eroina, al momento e stabile e vuole entrare in un programma", _OTHER),
    ("P2", "prendevo Valium anni fa, ora no. il problema e l'alcol"),
    ("P2", "mi sto ammazzando di lavoro e bevo ogni sera per staccare"),
    (
        "P2",
        "ho letto l'articolo sui sintomi d'astinenza sul vostro sito e mi ci ritrovo. vorrei un appuntamento",
    ),
    ("P2", "bisogno di aiuto per la cocaina, contattatemi solo via mail"),
    ("P2", "raga ho un problema con l'alcol, vorrei un colloquio la settimana prossima"),
    # --- P3 ---
    ("P3", "quanto costa il programma di 28 giorni? l'assicurazione rimborsa?"),
    ("P3", "e pericoloso smettere le benzodiazepine di colpo? e per una tesina"),
    (
        "P3",
        "siamo un'azienda e cerchiamo un programma di prevenzione delle dipendenze per i dipendenti",
    ),
    ("P3", "quanto dura di solito una disintossicazione da alcol?"),
    ("P3", "fate terapia online? abito in Svizzera, in Ticino"),
    ("P3", "sono medico di base, come posso inviarvi un paziente?", _PRO),
    ("P3", "quali sono gli orari di visita per i familiari?"),
    ("P3", "muoio dalla curiosita di sapere se avete gruppi per i familiari"),
    ("P3", "avete materiale sulla prevenzione delle overdose per la nostra associazione?"),
    ("P3", "si puo tenere il cellulare durante il ricovero?"),
]

ALL: dict[str, list[Case]] = {"en": EN, "es": ES, "de": DE, "fr": FR, "it": IT}
