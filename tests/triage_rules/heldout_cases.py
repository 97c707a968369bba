# ruff: noqa: E501  (data: real messages are long lines)
"""Held-out evaluation set: inquiries as people really write them to a clinic's contact form.

Written *before* reading the lexicons, to measure the rules honestly; keep it that way when
adding lines (write the sentence first, then fix the rules with a general pattern, never by
copying the sentence into a lexicon). Labels follow TRIAGE.md:

* P0 - danger now: plan/intent/means ready, pills taken, attempt or overdose in the last days,
  a seizure now or in the last 24 h, confusion/hallucinations now, slow breathing or cannot be
  woken, someone in immediate danger, a suicide attempt in the past 3 months;
* P1 - wish to be dead, thoughts of suicide, self-harm, an older attempt, a benzodiazepine with
  opioids or alcohol, stopping a benzodiazepine abruptly/just stopped/running out, a past
  withdrawal seizure or delirium, an overdose in the past 3 months, a positive ASQ item;
* P2 - a person asking for help with no risk answer positive;
* P3 - information only (prices, brochures, programmes, companies).

The judging criteria (test_heldout.py): every P0 scores P0; every P1 scores P0 or P1; at most
one in ten P2/P3 inquiries is raised to P0/P1.

Each case: (expected priority, message) or (expected priority, message, extra inquiry fields).
"""

from __future__ import annotations

from typing import Any

Case = tuple[str, str] | tuple[str, str, dict[str, Any]]

_ASQ_NO = {
    "wish_dead": "no",
    "better_off_dead": "no",
    "thoughts_killing_self": "no",
    "ever_tried": "no",
}

EN: list[Case] = [
    # --- P0 ---
    (
        "P0",
        "pls call asap my boyfriend took a bunch of xanax bars and hes not making sense, keeps nodding off",
    ),
    (
        "P0",
        "i cant do this anymore. ive been saving my pills for weeks and tonight is the night. sorry",
    ),
    (
        "P0",
        "my mom is on ativan and she stopped it 3 days ago, she just had a seizure in the kitchen. ambulance is coming but what do we do after",
        {"for_whom": "someone_else"},
    ),
    (
        "P0",
        "Hi. I'm writing for my son (22). He's been on benzos (bought online, 'bars') for about a year. This morning he told me he doesn't want to wake up tomorrow and I found a bag of pills in his room. He has locked himself in the bathroom now and won't answer.",
    ),
    ("P0", "took like 30 of my klonopin about an hour ago. i dont know why im writing this"),
    ("P0", "I'm going to kill myself. I have the rope."),
    (
        "P0",
        "my husband OD'd on fentanyl last night, narcan brought him back. hes home now and says he wants help",
    ),
    (
        "P0",
        "withdrawl seizure this morning after going cold turkey off valium, he's still really out of it",
    ),
    (
        "P0",
        "My wife is seeing things that aren't there and talking to people who aren't in the room. She stopped her lorazepam on friday.",
    ),
    (
        "P0",
        "he's breathing really slow and snoring weird after his methadone and some of my xanax, I cant wake him properly",
    ),
    ("P0", "I wrote letters to everyone and I'm going to end it all this weekend"),
    (
        "P0",
        "Hello, I found your website through google. I've been drinking about a bottle of wine a night for years and my GP said I should look at residential programmes. I have a job in finance and I'm worried about confidentiality, would my employer find out? Honestly things have got really bad, last night I took a handful of sleeping pills with the wine hoping I wouldn't wake up. I did wake up. I haven't told anyone. Can you tell me what the costs are and whether you have availability in March?",
    ),
    (
        "P0",
        "friend here - my mate just texted that he's going to jump off the bridge tonight and now he's not answering his phone",
    ),
    (
        "P0",
        "I attempted suicide last month with an overdose of my meds. Out of hospital now, want help with the benzos",
    ),
    (
        "P0",
        "need help with my drinking",
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
    ("P0", "detox", {"risk": {"seizure_24h": True}}),
    (
        "P0",
        "my son has been smoking fentanyl and i found him blue on the floor, hes breathing now but barely",
    ),
    (
        "P0",
        "idk what to do, my roommate swallowed a whole bottle of pills and is locked in her room",
    ),
    # --- P1 ---
    ("P1", "tbh some days i just dont want to wake up. been on xanax 2 yrs"),
    (
        "P1",
        "I have thoughts of killing myself sometimes but I would never do it, I just need help getting off alcohol",
    ),
    ("P1", "I drink most nights and also take diazepam to sleep"),
    (
        "P1",
        "on 4mg xanax a day, my doc is retiring and I run out next week, nobody else will prescribe",
    ),
    (
        "P1",
        "gonna quit my benzos cold turkey starting tomorrow, been on klonopin daily for 3 yrs. is that ok to do at home?",
    ),
    (
        "P1",
        "I had a seizure when I came off lorazepam in 2019, I don't want that again. Looking for a supervised taper.",
    ),
    ("P1", "my sister overdosed on pills 6 weeks ago, she's out of hospital but still using"),
    ("P1", "I tried to end my life when I was a teenager. Now 34 and drinking too much"),
    ("P1", "been cutting myself again since the breakup"),
    ("P1", "honestly everyone would be better off if I was gone"),
    (
        "P1",
        "taking percocet for my back and valium for my nerves, is that ok? want to get off both",
    ),
    ("P1", "whats the point of living like this. I drink every day."),
    (
        "P1",
        "I'd like information on your programme",
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
        "I stopped my clonazepam 2 days ago, I was taking it every day for a year, feel awful, shaky and can't sleep",
    ),
    ("P1", "idk anymore, wanna kms tbh. my drinking is out of control"),
    (
        "P1",
        "Referral: 45yo male, daily diazepam 30mg, alcohol approx 40 units/week, requesting inpatient detox. Dr Patel, GP",
        {"for_whom": "professional"},
    ),
    ("P1", "help me please", {"substances": ["lorazepam", "alcohol"]}),
    ("P1", "I go to bed every night hoping I don't wake up"),
    (
        "P1",
        "I'm going to stop my xanax on monday, been taking it daily for 3 years and I'm sick of it",
    ),
    # --- P2 ---
    ("P2", "I'm not suicidal or anything, I just want to stop drinking"),
    ("P2", "Dying to get my life back on track lol. Can someone call me about outpatient options"),
    ("P2", "my son smokes weed every day and won't listen to us, what can we do"),
    ("P2", "I need a slow taper off diazepam with medical supervision, my GP is supportive"),
    ("P2", "I'm killing it at work but my drinking is out of control"),
    ("P2", "no history of seizures, no suicidal thoughts, just want to quit xanax safely"),
    (
        "P2",
        "I'm scared of having a seizure if I stop my benzos, can you help me come off them properly?",
    ),
    ("P2", "My dad died of an overdose when I was a kid and now I'm worried about my own drinking"),
    ("P2", "this anxiety is killing me, can someone call me back"),
    ("P2", "my back is killing me and I've been taking more tramadol than I should"),
    (
        "P2",
        "I OD'd 2 years ago and ended up in ICU, clean since then but now I'm slipping with painkillers",
    ),
    ("P2", "Never had a seizure, never overdosed. Looking for help with opioids."),
    # --- P3 ---
    ("P3", "How much is the 30 day residential program and do you take BUPA?"),
    (
        "P3",
        "Hi, I'm the HR manager at a logistics company, we'd like info on employee assistance programmes and workshops",
        {"for_whom": "professional"},
    ),
    ("P3", "Could you send me a brochure please"),
    (
        "P3",
        "Do you have a killer price on the executive package? Just checking prices",
        {"screen": _ASQ_NO},
    ),
]

ES: list[Case] = [
    # --- P0 ---
    ("P0", "me quiero morir esta noche ya tengo las pastillas preparadas"),
    ("P0", "mi hijo se ha tomado un bote entero de trankimazin y no se despierta"),
    ("P0", "Mi marido lleva 3 dias sin tomar el rivotril y esta mañana le ha dado una convulsion"),
    (
        "P0",
        "ayuda por favor mi madre esta muy confusa, no sabe donde esta, dejo el orfidal de golpe",
    ),
    ("P0", "he intentado quitarme la vida hace dos semanas con pastillas"),
    ("P0", "voy a suicidarme, ya lo tengo todo decidido"),
    ("P0", "me he tomado 20 lexatin con vino, no se que hacer"),
    ("P0", "mi novio respira muy raro despues de tomar metadona y valium, no reacciona"),
    (
        "P0",
        "Hola, escribo por mi hermana. Lleva meses tomando pastillas para dormir con alcohol y hoy nos ha dicho por whatsapp que se va a quitar la vida, no contesta al telefono. Que hacemos?",
    ),
    ("P0", "tiene alucinaciones, ve bichos en la pared desde que dejo de beber y las pastillas"),
    ("P0", "esta tarde me tome todas las pastillas que tenia para no despertar"),
    ("P0", "necesito ayuda", {"risk": {"breathing_difficulty": True}}),
    (
        "P0",
        "Buenas tardes. Os escribo porque mi pareja lleva años con el alcohol y el lorazepam, hemos probado de todo, psicologos, grupos, su medico de cabecera. Anoche se tomo todas las pastillas de la caja con una botella de ginebra y tuvimos que llamar al 112, le hicieron un lavado. Ya esta en casa. Quisiera saber si teneis plazas para ingreso y el precio.",
    ),
    ("P0", "no aguanto mas, esta noche me quito la vida"),
    # --- P1 ---
    ("P1", "no aguanto mas, a veces pienso que estarian mejor sin mi"),
    ("P1", "tengo pensamientos de suicidio desde hace meses"),
    ("P1", "me quiero morir, no puedo mas con esto"),
    ("P1", "tomo orfidal todos los dias y bebo bastante por las noches"),
    ("P1", "quiero dejar el lexatin de golpe, ya no lo soporto, llevo 5 años tomandolo"),
    ("P1", "se me acaba el trankimazin y el medico no me lo quiere recetar mas"),
    ("P1", "hace años tuve una crisis convulsiva al dejar el valium"),
    ("P1", "intente suicidarme hace 10 años"),
    ("P1", "me autolesiono cuando bebo"),
    ("P1", "tomo tramadol y rivotril a diario"),
    ("P1", "tuve una sobredosis hace un mes"),
    ("P1", "a veces desearia no despertarme"),
    (
        "P1",
        "información",
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
    ("P1", "Tengo 3 cajas de pastillas guardadas por si acaso, ya no le veo sentido a nada"),
    ("P1", "mi padre toma pastillas para dormir y se bebe media botella de whisky cada noche"),
    # --- P2 ---
    ("P2", "nunca he pensado en suicidarme, solo quiero dejar de beber"),
    ("P2", "me muero de ganas de empezar el tratamiento, cuando hay plaza?"),
    ("P2", "necesito ayuda con la cocaina"),
    ("P2", "quiero reducir poco a poco el diazepam con ayuda medica"),
    ("P2", "mi padre bebe demasiado y no quiere reconocerlo, que podemos hacer como familia?"),
    ("P2", "no tengo ideas suicidas pero estoy muy ansioso"),
    ("P2", "me mato a trabajar y luego bebo para desconectar, creo que tengo un problema"),
    ("P2", "tengo miedo de tener convulsiones si dejo el alprazolam, me pueden ayudar a bajarlo?"),
    (
        "P2",
        "Buenas, soy psicologa y quisiera derivar a un paciente con dependencia al alcohol",
        {"for_whom": "professional"},
    ),
    ("P2", "quiero acabar con esta adiccion de una vez"),
    ("P2", "ayuda", {"substances": ["cannabis"]}),
    # --- P3 ---
    ("P3", "cuanto cuesta el programa residencial de 4 semanas?"),
    ("P3", "hola, me podeis enviar informacion y precios?"),
    ("P3", "Somos una empresa y buscamos programas de prevencion para nuestros empleados"),
    ("P3", "¿trabajan con Sanitas o Adeslas?"),
]

DE: list[Case] = [
    # --- P0 ---
    ("P0", "ich will nicht mehr leben und hab heute abend alle tabletten genommen die ich hatte"),
    ("P0", "Ich habe Tabletten gesammelt und werde heute Nacht Schluss machen"),
    ("P0", "mein sohn hat ne ganze packung tavor geschluckt und ist kaum ansprechbar"),
    ("P0", "Meine Mutter hat seit gestern Krampfanfälle, sie hat das Diazepam einfach abgesetzt"),
    ("P0", "mein freund atmet ganz flach nach heroin und benzos, ich krieg ihn nicht wach"),
    ("P0", "Er ist total verwirrt und halluziniert seit dem kalten Entzug vom Alkohol"),
    ("P0", "Ich habe vor 2 Wochen versucht mich umzubringen"),
    ("P0", "ich bring mich um. heute noch."),
    (
        "P0",
        "Meine Freundin hat mir gerade geschrieben dass sie sich das Leben nehmen will, sie hat die Tabletten schon vor sich liegen",
    ),
    (
        "P0",
        "hatte heute morgen einen epileptischen Anfall, nehme seit Jahren Lorazepam und hab letzte Woche aufgehört",
    ),
    (
        "P0",
        "Hilfe",
        {
            "screen": {
                "wish_dead": "no",
                "better_off_dead": "no",
                "thoughts_killing_self": "no",
                "ever_tried": "yes",
                "tried_when": "past_3_months",
                "thoughts_now": "no",
            }
        },
    ),
    (
        "P0",
        "Guten Tag, ich schreibe wegen meines Bruders. Er trinkt seit Jahren, hat jetzt seinen Job verloren und wohnt wieder bei uns. Gestern Nacht hat er eine Überdosis genommen, Tabletten mit Schnaps, wir haben ihn gerade noch rechtzeitig gefunden und er war im Krankenhaus. Jetzt ist er wieder zu Hause. Wir wissen nicht weiter und suchen einen Therapieplatz.",
    ),
    ("P0", "mein mann ist nicht mehr wach zu kriegen, er hat oxycodon und lorazepam genommen"),
    ("P0", "ich mach heute schluss mit allem, die tabletten liegen bereit"),
    # --- P1 ---
    ("P1", "manchmal wünsche ich mir einfach tot zu sein"),
    ("P1", "ich habe oft Suizidgedanken"),
    ("P1", "Alle wären besser dran ohne mich"),
    ("P1", "Ich nehme täglich Tavor und trinke abends Bier dazu"),
    (
        "P1",
        "will das Lorazepam jetzt sofort komplett absetzen, kalter Entzug, hab keine Lust mehr darauf",
    ),
    ("P1", "Mir gehen die Tabletten (Diazepam) aus und mein Arzt ist im Urlaub"),
    ("P1", "Vor drei Jahren hatte ich beim Entzug einen Krampfanfall"),
    ("P1", "Ich habe mich früher geritzt und jetzt wieder angefangen"),
    ("P1", "Habe als Jugendlicher einen Suizidversuch gemacht"),
    ("P1", "nehme oxycodon und valium zusammen"),
    ("P1", "ich kann nicht mehr, ich will einfach nicht mehr aufwachen"),
    ("P1", "Mein Mann hatte vor einem Monat eine Überdosis"),
    ("P1", "Ich denke darüber nach, mir das Leben zu nehmen"),
    ("P1", "ich will nicht mehr leben"),
    ("P1", "Detox", {"risk": {"withdrawal_seizure_history": True}}),
    # --- P2 ---
    ("P2", "Keine Suizidgedanken, nur Probleme mit Alkohol"),
    ("P2", "Ich bin todmüde und brauche Hilfe mit meinem Cannabiskonsum"),
    ("P2", "ich möchte Diazepam langsam ausschleichen unter ärztlicher Aufsicht"),
    ("P2", "Ich habe nie versucht mir etwas anzutun, aber ich trinke zu viel"),
    ("P2", "Mein Vater trinkt zu viel, wie kann ich ihm helfen?"),
    ("P2", "Ich habe Angst vor Krampfanfällen beim Entzug, deshalb suche ich eine Klinik"),
    (
        "P2",
        "Hallo, ich bin Hausarzt und möchte einen Patienten mit Benzodiazepinabhängigkeit überweisen",
        {"for_whom": "professional"},
    ),
    ("P2", "Spielsucht, brauche dringend einen Termin"),
    ("P2", "Meine Freundin hat mit mir Schluss gemacht und seitdem trinke ich jeden Tag"),
    # --- P3 ---
    ("P3", "Was kostet ein stationärer Aufenthalt? Übernimmt die Krankenkasse das?"),
    ("P3", "Bitte senden Sie mir Ihre Broschüre zu"),
    (
        "P3",
        "Wir sind ein Unternehmen und interessieren uns für Angebote zur betrieblichen Suchtprävention",
    ),
    ("P3", "Haben Sie noch freie Plätze im Mai? Und was sind die Preise?"),
    ("P3", "ich sterbe vor Neugier: wie teuer ist das Programm?"),
]

FR: list[Case] = [
    # --- P0 ---
    ("P0", "j'ai envie d'en finir ce soir, j'ai tout préparé"),
    ("P0", "ma fille a avalé toute sa boite de xanax, elle ne se reveille pas"),
    ("P0", "mon pere fait des convulsions la maintenant, il a arrete le valium d'un coup"),
    ("P0", "mon copain respire mal apres avoir pris du temesta avec de l'alcool"),
    ("P0", "je vais me suicider, j'ai les medicaments devant moi"),
    ("P0", "J'ai fait une tentative de suicide il y a 3 semaines"),
    (
        "P0",
        "elle delire completement, elle voit des choses qui n'existent pas, sevrage alcool depuis 2 jours",
    ),
    ("P0", "je viens de prendre toute ma plaquette de lexomil"),
    ("P0", "Mon frère m'a envoyé un message d'adieu et ne répond plus"),
    (
        "P0",
        "Bonjour, je vous écris pour mon mari. Il boit beaucoup depuis la perte de son emploi et prend du Lexomil que son médecin lui a prescrit. Hier soir il a fait une convulsion dans le salon, on a appelé le SAMU, il est rentré ce matin. Nous voulons une prise en charge rapide. Quels sont vos délais ?",
    ),
    ("P0", "aidez moi", {"risk": {"someone_in_danger": True}}),
    ("P0", "je veux mourir, ce soir je prends toutes mes pilules"),
    ("P0", "mon fils a fait une overdose, il est inconscient"),
    # --- P1 ---
    ("P1", "j'ai des idées noires tout le temps"),
    ("P1", "parfois j'aimerais ne plus me reveiller"),
    ("P1", "je veux mourir, j'en peux plus"),
    ("P1", "tout le monde serait mieux sans moi"),
    ("P1", "je prends du xanax tous les jours et je bois du vin le soir"),
    ("P1", "je veux arreter le rivotril du jour au lendemain"),
    ("P1", "plus de temesta depuis hier, ma pharmacie n'en a plus"),
    ("P1", "j'ai fait une crise convulsive lors d'un sevrage il y a 2 ans"),
    ("P1", "j'ai fait une TS à 20 ans"),
    ("P1", "je me scarifie depuis quelques mois"),
    ("P1", "je prends de la codeine et du valium"),
    ("P1", "j'ai pensé à me tuer la semaine dernière"),
    ("P1", "surdose de morphine il y a deux mois"),
    ("P1", "j'ai souvent envie d'en finir"),
    ("P1", "sevrage", {"risk": {"daily_benzo_use": True, "stopping_abruptly": True}}),
    # --- P2 ---
    ("P2", "je n'ai pas d'idées suicidaires, je veux juste arreter de boire"),
    ("P2", "je meurs d'envie de commencer, quand est-ce possible ?"),
    ("P2", "sevrage progressif du lexomil avec suivi médical svp"),
    ("P2", "mon fils fume du cannabis tous les jours, on ne sait plus quoi faire"),
    ("P2", "j'ai peur de faire une crise d'épilepsie si j'arrête, pouvez-vous m'aider ?"),
    (
        "P2",
        "je suis médecin traitant et je souhaite adresser une patiente pour un sevrage alcoolique",
        {"for_whom": "professional"},
    ),
    ("P2", "Jamais fait de tentative, jamais eu d'idées suicidaires, mais je bois trop"),
    ("P2", "j'ai besoin d'aide pour la cocaine"),
    ("P2", "je veux en finir avec l'alcool, aidez-moi"),
    # --- P3 ---
    ("P3", "Quels sont vos tarifs ? Etes-vous conventionnés ?"),
    ("P3", "Pouvez-vous m'envoyer une brochure ?"),
    (
        "P3",
        "Nous sommes une entreprise et souhaitons des informations sur vos programmes de prévention",
    ),
    ("P3", "C'est remboursé par la mutuelle ?"),
]

IT: list[Case] = [
    # --- P0 ---
    ("P0", "voglio farla finita stasera, ho gia preparato le pastiglie"),
    ("P0", "mio figlio ha preso tutte le gocce di en e non si sveglia"),
    ("P0", "mia madre ha avuto una crisi epilettica stamattina, ha smesso il tavor di colpo"),
    ("P0", "il mio ragazzo respira a fatica dopo eroina e xanax"),
    ("P0", "ho preso 30 tavor un'ora fa"),
    ("P0", "mi ammazzo, non ce la faccio più, stanotte la faccio finita"),
    ("P0", "ho tentato il suicidio 3 settimane fa"),
    ("P0", "mio padre è confuso, ha le allucinazioni da quando ha smesso di bere"),
    ("P0", "mia sorella mi ha scritto che si vuole uccidere e non risponde più al telefono"),
    ("P0", "ha le convulsioni adesso, aiuto"),
    (
        "P0",
        "Buonasera, scrivo per mio marito che da anni beve e prende lo Xanax per dormire. Abbiamo due bambini piccoli e lavoro anche io, la situazione è pesante. Ieri sera ha preso un intero flacone di Rivotril con il vino e lo abbiamo portato al pronto soccorso, adesso è a casa. Vorremmo sapere se avete posto e quanto costa un ricovero.",
    ),
    (
        "P0",
        "aiuto",
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
    ("P0", "mio fratello ha preso un sacco di pasticche e non respira bene"),
    # --- P1 ---
    ("P1", "non ce la faccio più, a volte vorrei morire"),
    ("P1", "ho pensieri di suicidio"),
    ("P1", "starebbero tutti meglio senza di me"),
    ("P1", "prendo xanax ogni giorno e bevo parecchio la sera"),
    ("P1", "voglio smettere il rivotril di botto, non ne posso più"),
    ("P1", "ho finito le gocce di valium e il medico non me le prescrive"),
    ("P1", "anni fa ho avuto convulsioni durante la disintossicazione"),
    ("P1", "ho tentato il suicidio da ragazzo"),
    ("P1", "mi taglio quando sto male"),
    ("P1", "prendo metadone e lorazepam"),
    ("P1", "vorrei non svegliarmi più la mattina"),
    ("P1", "overdose il mese scorso"),
    (
        "P1",
        "informazioni",
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
    (
        "P1",
        "Sono medico di base, vi invio un paziente in terapia con alprazolam e metadone",
        {"for_whom": "professional"},
    ),
    ("P1", "voglio morire"),
    # --- P2 ---
    ("P2", "non ho mai pensato al suicidio, voglio solo smettere di bere"),
    ("P2", "muoio dalla voglia di iniziare, quando posso venire?"),
    ("P2", "vorrei scalare lentamente il tavor con un medico"),
    ("P2", "voglio farla finita con l'alcol una volta per tutte"),
    ("P2", "mio figlio fuma canne tutti i giorni, cosa possiamo fare?"),
    ("P2", "ho paura di avere convulsioni se smetto, mi aiutate a ridurre le benzodiazepine?"),
    (
        "P2",
        "sono uno psichiatra e vorrei inviarvi un paziente con dipendenza da alcol",
        {"for_whom": "professional"},
    ),
    ("P2", "ho un problema col gioco d'azzardo"),
    ("P2", "non ho pensieri suicidi ma sono molto depresso"),
    (
        "P2",
        "vorrei scalare il tavor",
        {"substances": ["lorazepam"], "risk": {"uses_with_alcohol": False}},
    ),
    # --- P3 ---
    ("P3", "quanto costa il programma residenziale?"),
    ("P3", "mi potete mandare una brochure?"),
    ("P3", "siamo un'azienda e cerchiamo programmi di benessere per i dipendenti"),
    ("P3", "accettate l'assicurazione sanitaria?"),
]

# People mix languages, or write in English on a Spanish page.
MIXED: list[Case] = [
    ("P0", "hola, i need help, mi hermano took a lot of pastillas and no despierta"),
    ("P1", "Bonjour, I take Xanax and drink wine every night, je veux arreter"),
    ("P1", "ciao, my mum takes tavor every day and now she wants to stop it all at once"),
    ("P2", "Hallo, I need help with my alcohol problem, bitte rufen Sie mich an"),
    ("P3", "precio del programa? how much is it per week?"),
]

# --- Round 2 -------------------------------------------------------------------------------
# Written after round 1 had been fixed, to check the fixes were general rather than copies of
# the round-1 sentences: new phrasings of the same dangers (other verb forms, word orders,
# misspellings) and deliberately tricky routine messages ("alucinante", "seeing things
# clearly", "rimasto senza lavoro"). Same labelling rules.

R2_EN: list[Case] = [
    ("P0", "he took all of his dads oxys and wont wake up"),
    ("P0", "gonna OD tonight, got enough fent saved"),
    ("P0", "my girlfriend is having a seizure right now what do i do"),
    ("P0", "dad is shaking and seeing spiders since he stopped drinking on saturday"),
    ("P0", "she's not breathing right, lips going blue, she took heroin"),
    ("P0", "I want to die tonight"),
    ("P0", "i've decided to end my life on sunday"),
    ("P0", "my brother overdosed an hour ago, paramedics are here"),
    ("P0", "I tried to hang myself 3 weeks ago"),
    ("P0", "kms tonight, i'm done"),
    ("P0", "i took 15 xanax bars and drank a fifth of vodka"),
    ("P0", "took too many pills, feeling really sleepy and weird"),
    ("P0", "I'm going to take all my pills tonight"),
    ("P0", "my son is unconcious after taking something, please help"),
    ("P0", "we found mum on the floor, she took her tablets with gin and wont respond"),
    ("P1", "sometimes i think my kids would be better off without me"),
    ("P1", "I've been thinking about suicide a lot lately"),
    ("P1", "passive suicidal thoughts, no plan"),
    ("P1", "I have a prescription for valium and I drink wine with dinner"),
    ("P1", "my doctor cut me off my klonopin last week"),
    ("P1", "I'm on 6mg of xanax and i'm gonna quit cold turkey"),
    ("P1", "i sometimes cut myself"),
    ("P1", "he tried to kill himself in 2017"),
    ("P1", "i had the DTs when I stopped drinking last year"),
    ("P1", "I mix benzos and opiates"),
    ("P1", "wishing i could just go to sleep and not wake up"),
    ("P1", "my OD was 2 months ago"),
    ("P1", "i dont want to be here anymore"),
    ("P1", "i'm so tired of everything, i want to disappear forever"),
    ("P2", "I'm not going to kill myself, but I need help with drinking"),
    ("P2", "No suicidal ideation, no self harm. Need help with alcohol."),
    ("P2", "I want to taper off clonazepam gradually"),
    ("P2", "I'm dead tired of drinking every night"),
    ("P2", "my friend died from an overdose last year, I want to get clean"),
    ("P2", "worried about withdrawal seizures, want medically supervised detox"),
    ("P2", "I've never overdosed but I use heroin daily"),
    ("P3", "what are your visiting hours"),
    ("P3", "do you offer programmes for teenagers?"),
    ("P2", "I'm confused about which programme is right for me, I drink a lot"),
    ("P2", "we walked 5 kms today and I still want a drink"),
    ("P2", "my husband is hallucinating about money problems lol, anyway he drinks too much"),
    ("P2", "I take 2mg xanax daily and want to taper slowly with your help starting next month"),
    ("P2", "i've been clean for 2 weeks, need support to stay off heroin"),
    ("P2", "I want to stop drinking on monday, can you help me prepare?"),
    ("P2", "my mum is on lorazepam, she is doing ok but we want a review"),
    ("P3", "Do you have rooms available next week? What's the price?"),
    ("P2", "I'm seeing things more clearly now and want to quit cocaine"),
    ("P2", "our son overdosed on video games lol, seriously though he drinks"),
    ("P2", "my OD prevention training was great, now I want a job with you? also I drink"),
    ("P2", "I'm dying of embarrassment writing this but I need help with alcohol"),
]

R2_ES: list[Case] = [
    ("P0", "me voy a matar hoy"),
    ("P0", "se tomo una caja de rivotril hace media hora"),
    ("P0", "mi hijo esta convulsionando"),
    ("P0", "mi padre no respira bien y tiene los labios morados"),
    ("P0", "ya tengo todo preparado para suicidarme esta noche"),
    ("P0", "me acabo de tomar todas las pastillas del cajon"),
    ("P0", "mi mujer alucina y no me reconoce, dejo de beber el sabado"),
    ("P0", "intento ahorcarse el mes pasado"),
    ("P0", "me he tomado un blister entero de lorazepam"),
    ("P1", "quiero desaparecer para siempre"),
    ("P1", "ya no le encuentro sentido a vivir"),
    ("P1", "pienso en la muerte todo el rato"),
    ("P1", "tomo rivotril y bebo cerveza cada dia"),
    ("P1", "el psiquiatra me ha quitado el tranxilium de golpe"),
    ("P1", "me he quedado sin lorazepam y no tengo receta"),
    ("P1", "de joven me cortaba"),
    ("P1", "tuve convulsiones cuando deje las benzodiacepinas"),
    ("P1", "mi hermano toma fentanilo y alprazolam"),
    ("P1", "a veces pienso en matarme"),
    ("P2", "no me quiero morir, solo quiero dejar la coca"),
    ("P2", "jamas he intentado suicidarme"),
    ("P2", "mi madre murio de sobredosis hace años y ahora yo bebo mucho"),
    ("P2", "quiero dejar el tranxilium poco a poco"),
    ("P2", "estoy muerto de cansancio de tanto beber"),
    ("P3", "teneis plazas en septiembre?"),
    ("P3", "me pasan presupuesto?"),
    ("P2", "alucino con lo caro que es todo, pero necesito ayuda con la bebida"),
    ("P3", "vuestro centro es alucinante, cuanto cuesta?"),
    ("P2", "se me acaba la paciencia con mi marido que bebe"),
    ("P2", "tomo tranxilium todas las noches desde hace años, quiero bajarlo poco a poco"),
    ("P2", "mi hijo ve cosas en internet que no me gustan y fuma porros"),
    ("P2", "estoy confundido con tanto programa, necesito ayuda con la cocaina"),
    ("P2", "tomo todos los dias un lexatin y quiero dejarlo con ayuda"),
    ("P2", "me he quedado sin trabajo y bebo mucho"),
]

R2_DE: list[Case] = [
    ("P0", "Ich nehme mir heute Abend das Leben"),
    ("P0", "mein Sohn krampft gerade"),
    ("P0", "sie hat den ganzen Blister Alprazolam geschluckt"),
    ("P0", "er ist nicht mehr ansprechbar nach Fentanyl"),
    ("P0", "ich hab ne ganze Flasche Wodka und 20 Diazepam genommen"),
    ("P0", "Meine Mutter halluziniert, sieht Käfer an der Wand"),
    ("P0", "habe gestern versucht mich umzubringen"),
    ("P0", "ich springe heute von der Brücke"),
    ("P1", "Ich habe keine Lust mehr zu leben"),
    ("P1", "Ich denke ständig an Suizid"),
    ("P1", "Ich verletze mich selbst"),
    ("P1", "Mein Arzt hat mir das Tavor einfach gestrichen"),
    ("P1", "Ich nehme Benzos und trinke dazu"),
    ("P1", "Ich bin lebensmüde"),
    ("P1", "Ich hatte vor 5 Jahren ein Delir im Entzug"),
    ("P1", "Ich will sterben"),
    ("P1", "manchmal will ich einfach nicht mehr aufwachen"),
    ("P2", "Ich habe keine Selbstmordgedanken"),
    ("P2", "Ich möchte Tavor langsam reduzieren"),
    ("P2", "Ich habe Angst, dass ich beim Entzug einen Anfall bekomme"),
    ("P2", "Mein Onkel hat sich vor Jahren das Leben genommen, ich trinke seitdem zu viel"),
    ("P3", "Welche Therapieangebote gibt es für Firmen?"),
    ("P3", "Wie hoch sind die Kosten pro Woche?"),
    ("P2", "Ich bin verwirrt, welche Therapie passt zu mir? Ich trinke zu viel"),
    ("P2", "Mein Arzt hat mir Diazepam verschrieben und ich möchte langsam reduzieren"),
    ("P2", "Mein Sohn sieht Dinge anders als wir und kifft täglich"),
    ("P2", "Ich möchte ab Montag mit dem Trinken aufhören, brauche Unterstützung"),
    ("P2", "Die Krankenkasse hat mir die Reha gestrichen, ich brauche trotzdem Hilfe mit Alkohol"),
    ("P2", "ich nehme alle zwei Tage eine Tavor und will davon weg"),
]

R2_FR: list[Case] = [
    ("P0", "je vais en finir ce soir"),
    ("P0", "il a pris 40 comprimés de lexomil"),
    ("P0", "ma mere convulse en ce moment"),
    ("P0", "il ne respire presque plus apres l'heroine"),
    ("P0", "j'ai avalé une boite entiere de somniferes"),
    ("P0", "elle hallucine depuis ce matin, arret de l'alcool"),
    ("P0", "je me suis ouvert les veines"),
    ("P0", "mon fils menace de se tuer avec un couteau"),
    ("P1", "je pense souvent au suicide"),
    ("P1", "j'aimerais mourir"),
    ("P1", "je n'ai plus envie de vivre"),
    ("P1", "je me coupe les bras"),
    ("P1", "je prends du lexomil et je bois beaucoup"),
    ("P1", "mon medecin m'a arrete le xanax d'un coup"),
    ("P1", "je suis a court de xanax"),
    ("P1", "j'ai fait une overdose le mois dernier"),
    ("P1", "j'ai déjà fait une tentative il y a 10 ans"),
    ("P1", "des fois j'ai envie de me foutre en l'air"),
    ("P2", "je ne veux pas mourir, je veux juste arreter l'alcool"),
    ("P2", "je suis mort de fatigue"),
    ("P2", "je voudrais diminuer progressivement le xanax"),
    ("P2", "aucune idee suicidaire"),
    ("P3", "Avez-vous de la place en juin ?"),
    ("P3", "Quel est le prix de la cure ?"),
    ("P2", "j'ai fait une tentative de sevrage seul l'an dernier, ça n'a pas marché"),
    ("P3", "c'est hallucinant ces prix, vous faites des remises ?"),
    ("P2", "je suis a court d'idees, mon fils boit trop"),
    ("P2", "je prends tous les jours du xanax, je voudrais diminuer avec un medecin"),
    ("P2", "j'aimerais plus de temps avec mon psy, je prends du lexomil"),
    ("P2", "je suis en manque de sommeil et je bois trop"),
    ("P2", "il voit des choses que je ne vois pas dans ses amis, il boit trop"),
]

R2_IT: list[Case] = [
    ("P0", "stasera mi ammazzo"),
    ("P0", "ha preso una scatola intera di xanax"),
    ("P0", "mio padre ha una crisi epilettica adesso"),
    ("P0", "non respira quasi, ha preso eroina"),
    ("P0", "mia figlia è svenuta dopo aver preso le gocce di valium"),
    ("P0", "ho inghiottito tutte le pillole"),
    ("P0", "vedo insetti sulle pareti da ieri"),
    ("P0", "ho cercato di uccidermi due settimane fa"),
    ("P1", "penso sempre alla morte"),
    ("P1", "non ho più voglia di vivere"),
    ("P1", "mi faccio del male"),
    ("P1", "prendo tavor e bevo vino"),
    ("P1", "il medico mi ha tolto lo xanax di colpo"),
    ("P1", "sono rimasto senza tavor"),
    ("P1", "anni fa ho tentato il suicidio"),
    ("P1", "vorrei addormentarmi e non svegliarmi"),
    ("P2", "non voglio morire, voglio solo smettere"),
    ("P2", "sono stanco morto"),
    ("P2", "vorrei ridurre pian piano il rivotril"),
    ("P2", "nessun pensiero suicida"),
    ("P3", "avete posti liberi a giugno?"),
    ("P3", "quanto costa una settimana?"),
    ("P2", "è allucinante quanto costa, comunque bevo troppo"),
    ("P2", "sono rimasto senza lavoro e bevo"),
    ("P2", "prendo tutti i giorni lo xanax e vorrei scalarlo"),
    ("P2", "sto finendo l'università e bevo troppo"),
    ("P2", "vedo cose brutte nel mio futuro, bevo troppo"),
    ("P2", "ho preso un flacone di sciroppo per la tosse, ma il problema è l'alcol"),
]


ALL: dict[str, list[Case]] = {
    "en": EN,
    "es": ES,
    "de": DE,
    "fr": FR,
    "it": IT,
    "mixed": MIXED,
    "r2-en": R2_EN,
    "r2-es": R2_ES,
    "r2-de": R2_DE,
    "r2-fr": R2_FR,
    "r2-it": R2_IT,
}
