import GoalLedgerCore

/// The Danish words of the synthetic ledger: municipalities, people, policy areas.

struct Municipality {
    var name: String
    /// Relative size: more policies, themes and key figures for larger municipalities.
    var size: Double
    var slug: String {
        var slug = ""
        for character in name.lowercased() {
            switch character {
            case "æ": slug += "ae"
            case "ø": slug += "oe"
            case "å": slug += "aa"
            case " ": slug += "-"
            default: slug.append(character)
            }
        }
        return slug
    }
}

enum Municipalities {
    /// All 98, the largest first (so a small ledger is a few large municipalities, not many fragments).
    static let all: [Municipality] = {
        let sized: [(String, Double)] = [
            ("København", 3.0), ("Aarhus", 2.4), ("Aalborg", 2.0), ("Odense", 2.0), ("Vejle", 1.5), ("Esbjerg", 1.5),
            ("Frederiksberg", 1.5), ("Randers", 1.4), ("Viborg", 1.4), ("Kolding", 1.4), ("Silkeborg", 1.4),
            ("Herning", 1.3), ("Horsens", 1.3), ("Roskilde", 1.3), ("Næstved", 1.2), ("Slagelse", 1.2),
            ("Gentofte", 1.2), ("Gladsaxe", 1.1), ("Holbæk", 1.1), ("Hjørring", 1.1), ("Helsingør", 1.1),
            ("Guldborgsund", 1.1), ("Køge", 1.1), ("Frederikshavn", 1.0), ("Svendborg", 1.0), ("Sønderborg", 1.0),
            ("Aabenraa", 1.0), ("Holstebro", 1.0), ("Skanderborg", 1.0), ("Hillerød", 1.0), ("Haderslev", 1.0),
            ("Fredericia", 1.0), ("Kalundborg", 1.0), ("Ringkøbing-Skjern", 1.0), ("Hvidovre", 0.9),
            ("Høje-Taastrup", 0.9), ("Lyngby-Taarbæk", 0.9), ("Rudersdal", 0.9), ("Favrskov", 0.9), ("Ballerup", 0.9),
            ("Frederikssund", 0.9), ("Egedal", 0.9), ("Faaborg-Midtfyn", 0.9), ("Greve", 0.9), ("Mariagerfjord", 0.9),
            ("Vordingborg", 0.9), ("Syddjurs", 0.9), ("Lolland", 0.9), ("Jammerbugt", 0.9), ("Fredensborg", 0.9),
            ("Thisted", 0.9), ("Gribskov", 0.9), ("Tårnby", 0.9), ("Varde", 0.9), ("Skive", 0.9),
            ("Ikast-Brande", 0.9), ("Norddjurs", 0.9), ("Vesthimmerlands", 0.9), ("Hedensted", 0.9),
            ("Brønderslev", 0.9), ("Rødovre", 0.8), ("Herlev", 0.8), ("Furesø", 0.8), ("Assens", 0.8),
            ("Middelfart", 0.8), ("Tønder", 0.8), ("Vejen", 0.8), ("Nyborg", 0.8), ("Bornholm", 0.8),
            ("Odsherred", 0.8), ("Ringsted", 0.8), ("Sorø", 0.8), ("Faxe", 0.8), ("Rebild", 0.8), ("Brøndby", 0.8),
            ("Albertslund", 0.8), ("Glostrup", 0.7), ("Halsnæs", 0.7), ("Hørsholm", 0.7), ("Allerød", 0.7),
            ("Lejre", 0.7), ("Stevns", 0.7), ("Solrød", 0.7), ("Billund", 0.7), ("Kerteminde", 0.7), ("Nordfyns", 0.7),
            ("Struer", 0.6), ("Ishøj", 0.6), ("Odder", 0.6), ("Morsø", 0.6), ("Lemvig", 0.6), ("Dragør", 0.6),
            ("Vallensbæk", 0.6), ("Langeland", 0.6), ("Ærø", 0.4), ("Samsø", 0.4), ("Fanø", 0.4), ("Læsø", 0.4),
        ]
        return sized.map { Municipality(name: $0.0, size: $0.1) }
    }()
}

enum Names {
    static let first = ["Mette", "Jens", "Anne", "Lars", "Hanne", "Søren", "Kirsten", "Mikkel", "Birgitte", "Jesper",
                        "Louise", "Rasmus", "Pernille", "Thomas", "Ida", "Anders", "Sofie", "Niels", "Camilla",
                        "Bjørn", "Helle", "Jørgen"]
    static let last = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
                       "Rasmussen", "Jørgensen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Møller",
                       "Østergaard", "Würtzen"]
    static func person(_ rng: inout SplitMix64) -> String { rng.pick(first) + " " + rng.pick(last) }
}

/// A measured key figure of the weekly plan.
struct KeyFigure {
    var slug: String, title: String, unit: String, direction: String
    var start: Double, step: Double, target: Double

    static let all = [
        KeyFigure(slug: "ventetid-genoptraening", title: "Ventetid på genoptræning efter sundhedsloven", unit: "dage",
                  direction: "decrease", start: 28, step: 0.5, target: 21),
        KeyFigure(slug: "sygefravaer", title: "Sygefravær blandt kommunens ansatte", unit: "%", direction: "decrease",
                  start: 5.2, step: 0.05, target: 4.5),
        KeyFigure(slug: "sagsbehandlingstid-byggesager", title: "Sagsbehandlingstid for byggesager", unit: "dage",
                  direction: "decrease", start: 60, step: 1, target: 40),
    ]
}

/// A policy area: its themes, goals (with their indicator) and initiatives.
struct Area {
    struct Goal { var title: String, indicator: String, unit: String, direction: String, base: Double, step: Double }
    var slug: String, kind: String, title: String, summary: String
    var themes: [String]
    var goals: [Goal]
    var initiatives: [String]

    static let all: [Area] = [
        Area(slug: "erhverv", kind: "policy", title: "Erhvervs- og vækstpolitik",
             summary: "Flere arbejdspladser, bedre vilkår for virksomhederne og en kvalificeret arbejdsstyrke.",
             themes: ["Iværksætteri og vækst", "Arbejdskraft og uddannelse", "Infrastruktur og byudvikling",
                      "Turisme og oplevelser"],
             goals: [Goal(title: "Flere unge vælger en erhvervsuddannelse",
                          indicator: "Andel elever der vælger erhvervsuddannelse", unit: "%", direction: "increase",
                          base: 22, step: 0.3),
                     Goal(title: "Virksomhederne oplever god erhvervsservice",
                          indicator: "Placering i Dansk Industris erhvervsklimamåling", unit: "placering",
                          direction: "decrease", base: 45, step: 1),
                     Goal(title: "Flere nye virksomheder overlever de første tre år",
                          indicator: "Overlevelsesrate for nye virksomheder", unit: "%", direction: "increase",
                          base: 61, step: 0.4)],
             initiatives: ["Erhvervshus og iværksættercafé", "Virksomhedsbesøg med borgmesteren",
                           "Praktikpladsgaranti", "Hurtig byggesagsbehandling for virksomheder"]),
        Area(slug: "klima", kind: "plan", title: "Klimaplan",
             summary: "Kommunen som geografisk område skal være klimaneutral, og byen skal tilpasses mere regn.",
             themes: ["Energi og varme", "Transport", "Klimatilpasning", "Affald og ressourcer"],
             goals: [Goal(title: "CO2-udledningen fra kommunen som geografisk område halveres",
                          indicator: "CO2-udledning", unit: "ton CO2e", direction: "decrease", base: 410_000,
                          step: 900),
                     Goal(title: "Flere husstande er koblet på fjernvarme", indicator: "Husstande med fjernvarme",
                          unit: "%", direction: "increase", base: 63, step: 0.2),
                     Goal(title: "Mere affald bliver genanvendt",
                          indicator: "Genanvendelsesprocent for husholdningsaffald", unit: "%", direction: "increase",
                          base: 38, step: 0.3)],
             initiatives: ["Energirenovering af kommunale bygninger", "Grønne busser på bybusruterne",
                           "Skybrudssikring af bymidten", "Delebilsordning for kommunens ansatte"]),
        Area(slug: "sundhed", kind: "policy", title: "Sundhedspolitik",
             summary: "Lighed i sundhed: flere gode leveår for alle borgere, uanset uddannelse og indkomst.",
             themes: ["Sund start på livet", "Mental sundhed", "Forebyggelse og rehabilitering",
                      "Et aktivt seniorliv"],
             goals: [Goal(title: "Færre voksne ryger dagligt", indicator: "Andel dagligrygere", unit: "%",
                          direction: "decrease", base: 17, step: 0.15),
                     Goal(title: "Færre børn er overvægtige ved skolestart",
                          indicator: "Andel overvægtige børn i 0. klasse", unit: "%", direction: "decrease", base: 12,
                          step: 0.1),
                     Goal(title: "Færre forebyggelige indlæggelser af ældre",
                          indicator: "Forebyggelige indlæggelser pr. 1.000 ældre", unit: "pr. 1.000",
                          direction: "decrease", base: 62, step: 0.6)],
             initiatives: ["Rygestopkurser på arbejdspladser", "Sundhedsplejerske i indskolingen",
                           "Hverdagsrehabilitering", "Motion på recept"]),
        Area(slug: "beskaeftigelse", kind: "plan", title: "Beskæftigelsesplan",
             summary: "Flere borgere i job og uddannelse, og en kort vej fra ydelse til arbejde.",
             themes: ["Unge i uddannelse", "Langtidsledige i job", "Virksomhedssamarbejde"],
             goals: [Goal(title: "Flere unge under 30 år er i uddannelse eller job",
                          indicator: "Unge på offentlig forsørgelse", unit: "antal", direction: "decrease", base: 640,
                          step: 6),
                     Goal(title: "Færre borgere er langtidsledige", indicator: "Langtidsledige", unit: "antal",
                          direction: "decrease", base: 410, step: 5),
                     Goal(title: "Flere virksomheder tager socialt ansvar",
                          indicator: "Virksomhedspraktikker og løntilskud", unit: "antal", direction: "increase",
                          base: 180, step: 3)],
             initiatives: ["Ungeindsats med én indgang", "Jobrotation i ældreplejen",
                           "Virksomhedskonsulenter i industrien"]),
        Area(slug: "boern-unge", kind: "policy", title: "Børne- og ungepolitik",
             summary: "Alle børn skal trives, lære mest muligt og blive så dygtige, som de kan.",
             themes: ["Trivsel og fællesskab", "Læring", "Tidlig indsats"],
             goals: [Goal(title: "Flere elever trives i skolen",
                          indicator: "Gennemsnitlig trivsel i den nationale trivselsmåling", unit: "point",
                          direction: "increase", base: 3.8, step: 0.01),
                     Goal(title: "Flere elever får mindst 02 i dansk og matematik",
                          indicator: "Andel med mindst 02 ved afgangsprøven", unit: "%", direction: "increase",
                          base: 88, step: 0.2),
                     Goal(title: "Færre børn anbringes uden for hjemmet", indicator: "Anbragte børn og unge",
                          unit: "antal", direction: "decrease", base: 120, step: 1)],
             initiatives: ["Læseløft i indskolingen", "Familiehus med åben rådgivning",
                           "Bevægelse 45 minutter om dagen"]),
        Area(slug: "aeldre", kind: "policy", title: "Ældrepolitik",
             summary: "Et godt og værdigt ældreliv med selvbestemmelse og fællesskab.",
             themes: ["Selvhjulpenhed", "Værdig pleje", "Fællesskab mod ensomhed"],
             goals: [Goal(title: "Flere ældre klarer sig selv længere",
                          indicator: "Ældre over 80 år uden hjemmehjælp", unit: "%", direction: "increase", base: 66,
                          step: 0.2),
                     Goal(title: "Kortere ventetid på plejebolig", indicator: "Ventetid på plejebolig", unit: "dage",
                          direction: "decrease", base: 55, step: 1)],
             initiatives: ["Spisevenner på plejecentrene", "Velfærdsteknologi i hjemmeplejen", "Besøgsvenner"]),
        Area(slug: "kultur-fritid", kind: "policy", title: "Kultur- og fritidspolitik",
             summary: "Et rigt kultur- og foreningsliv, der er åbent for alle.",
             themes: ["Foreningsliv", "Kulturelle oplevelser", "Natur og friluftsliv"],
             goals: [Goal(title: "Flere børn går til en fritidsaktivitet", indicator: "Børn med en fritidsaktivitet",
                          unit: "%", direction: "increase", base: 71, step: 0.3),
                     Goal(title: "Flere besøger bibliotekerne", indicator: "Besøg på bibliotekerne", unit: "antal",
                          direction: "increase", base: 42_000, step: 300)],
             initiatives: ["Fritidspas til børn fra familier med lav indkomst", "Åbne biblioteker om aftenen",
                           "Naturpark ved åen"]),
        Area(slug: "bolig", kind: "policy", title: "Boligpolitik",
             summary: "Boliger til alle livsfaser og indkomster i blandede byer.",
             themes: ["Blandede byer", "Almene boliger", "Byomdannelse"],
             goals: [Goal(title: "Flere almene boliger i nye byområder", indicator: "Almene boliger i nye lokalplaner",
                          unit: "%", direction: "increase", base: 18, step: 0.3),
                     Goal(title: "Færre udsatte boligområder", indicator: "Boligområder på den nationale liste",
                          unit: "antal", direction: "decrease", base: 3, step: 0.05)],
             initiatives: ["Boligsocial helhedsplan", "Tæt-lav i landsbyerne",
                           "Omdannelse af erhvervsområdet ved stationen"]),
    ]

    static let municipalPlan = Area(
        slug: "kommuneplan", kind: "plan", title: "Kommuneplan",
        summary: "Den samlede fysiske planlægning for byen: boliger, erhverv, grønne områder, "
            + "infrastruktur og klimatilpasning.",
        themes: ["Boliger", "Erhverv", "Grønne områder", "Mobilitet", "Klimatilpasning", "Detailhandel", "Byens rum",
                 "Kulturarv", "Forsyning", "Landzone"],
        goals: all.flatMap(\.goals),
        initiatives: all.flatMap(\.initiatives))
}

enum Texts {
    static let visions = ["Fællesskab og grøn omstilling", "Sammen skaber vi fremtidens by", "Et godt liv hele livet",
                          "Vækst med omtanke", "Den bæredygtige kommune"]
    static let visionThemes = ["Det gode liv", "Grøn omstilling", "Vækst og arbejdspladser", "Børn og unge",
                               "Fællesskab og frivillighed", "En by i bevægelse"]
    static let visionGoals = ["Alle børn skal have en god start på livet", "Kommunen skal være CO2-neutral",
                              "Flere borgere skal være i job", "Ingen skal være ufrivilligt ensomme",
                              "Vi skal have et stærkt foreningsliv", "Byen skal være let at komme rundt i"]
    static let sdgs = ["sdg:3", "sdg:3.4", "sdg:4", "sdg:4.1", "sdg:7.2", "sdg:8", "sdg:8.5", "sdg:11", "sdg:11.3",
                       "sdg:13", "sdg:13.2", "sdg:17"]
    static let sources = ["Danmarks Statistik", "Kommunens fagsystemer", "Sundhedsprofilen", "Energistyrelsen",
                          "STAR Jobindsats", "Børne- og Undervisningsministeriet"]
}
