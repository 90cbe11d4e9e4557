import GoalLedgerCore

/// The pages' languages: Danish by default (SPEC §9), English with `lang=en`.
public enum Language: String, Sendable, CaseIterable {
    case da, en
}

/// Every text the pages show that is not from the ledger, in both languages,
/// and the way each language writes dates and numbers.
struct Catalogue: Sendable {
    let language: Language

    /// One UI string. Keys are English; the Danish text is the page's default.
    func callAsFunction(_ key: Key) -> String {
        let pair = Self.texts[key] ?? (key.rawValue, key.rawValue)
        return language == .da ? pair.da : pair.en
    }

    enum Key: String, Sendable {
        case siteName, skipToContent, navHome, navAudit, navVerify, navOtherLanguage
        case timeLegend, asOfLabel, asOfHelp, knownAtLabel, knownAtHelp, show, now, timeNow, staticTimes
        case plansHeading, plansCaption, noPlans, id, kind, title, status, horizon
        case headLabel, headEmpty, accessibilityStatement, footerAbout
        case state, field, value, tree, themes, goals, indicators, initiatives, links
        case historyHeading, historyCaption, effective, recorded, actor, recordedBy, decision, reason
        case type, changes, backdated, retracted, before, after, downloadCSV
        case latest, target, originalTarget, revisedLater, thenNow, then, nowColumn
        case chartHeading, chartTargetInForce, chartEarlier, chartMeasurement, chartRevision
        case chartBackdated, chartNoTarget, chartTableCaption
        case tightened, loosened, changed, direction, onCourse, offCourse, unknownCourse, latestKnown
        case auditHeading, auditCaption, auditFilters, auditTypeLabel, auditActorLabel, auditFieldLabel
        case auditStreamLabel, auditBackdatedLabel, auditLoosenedLabel, auditOrderLabel, newestFirst, oldestFirst
        case apply, rows, pageOf, previousPage, nextPage, stream, lagHeading, lagCaption, lagDays, lagThreshold
        case loosenedHeading, noRows
        case verifyHeading, verifyOK, verifyFailed, verifyExplain, verifyEvents, verifyStreams, verifyHead
        case notFoundTitle, badRequestTitle, methodTitle, errorTitle, backHome
        case none, yes, no, by, deadline, baseline, unit, period
        case partOf, goalOf, signedBy, proof, unchangedSince
    }

    static let texts: [Key: (da: String, en: String)] = [
        .siteName: ("GoalLedger", "GoalLedger"),
        .skipToContent: ("Spring til indholdet", "Skip to content"),
        .navHome: ("Planer", "Plans"),
        .navAudit: ("Ændringslog", "Audit"),
        .navVerify: ("Kontrol af loggen", "Verify the ledger"),
        .navOtherLanguage: ("English", "Dansk"),
        .timeLegend: ("Vis tidspunkt", "Point in time"),
        .asOfLabel: ("Gældende pr. (as-of)", "In effect at (as-of)"),
        .asOfHelp: ("ÅÅÅÅ, ÅÅÅÅ-MM eller ÅÅÅÅ-MM-DD; tomt = i dag",
                    "YYYY, YYYY-MM or YYYY-MM-DD; empty = today"),
        .knownAtLabel: ("Som kendt pr. (known-at)", "As known at (known-at)"),
        .knownAtHelp: ("Hvad loggen vidste på det tidspunkt; tomt = alt",
                       "What the ledger knew then; empty = everything"),
        .show: ("Vis", "Show"),
        .now: ("nu", "now"),
        .timeNow: ("Nu", "Now"),
        .staticTimes: ("Denne kopi er skrevet for disse tidspunkter:",
                       "This copy was written for these points in time:"),
        .plansHeading: ("Planer", "Plans"),
        .plansCaption: ("Planer og deres status", "Plans and their status"),
        .noPlans: ("Ingen planer på dette tidspunkt.", "No plans at this point in time."),
        .id: ("Id", "Id"),
        .kind: ("Art", "Kind"),
        .title: ("Titel", "Title"),
        .status: ("Status", "Status"),
        .horizon: ("Periode", "Horizon"),
        .headLabel: ("Loggens hoved (offentliggør dette fingeraftryk)", "Ledger head (the digest to publish)"),
        .headEmpty: ("Loggen er tom.", "The ledger is empty."),
        .accessibilityStatement: ("Tilgængelighedserklæring", "Accessibility statement"),
        .footerAbout: ("Alle data er hændelser i en tilføj-kun-log, kædet sammen med SHA-256.",
                       "All data are events in an append-only ledger, chained with SHA-256."),
        .state: ("Tilstand", "State"),
        .field: ("Felt", "Field"),
        .value: ("Værdi", "Value"),
        .tree: ("Indhold", "Contents"),
        .themes: ("Temaer", "Themes"),
        .goals: ("Mål", "Goals"),
        .indicators: ("Indikatorer", "Indicators"),
        .initiatives: ("Initiativer", "Initiatives"),
        .links: ("Henvisninger", "Links"),
        .historyHeading: ("Historik", "History"),
        .historyCaption: ("Alle hændelser for denne enhed, med hvem, hvornår, hvorfor og hvad de ændrede",
                          "Every event of this entity: who, when, why and what it changed"),
        .effective: ("Gældende fra", "Effective"),
        .recorded: ("Registreret", "Recorded"),
        .actor: ("Aktør", "Actor"),
        .recordedBy: ("Registreret af", "Recorded by"),
        .decision: ("Beslutning", "Decision"),
        .reason: ("Begrundelse", "Reason"),
        .type: ("Hændelse", "Event"),
        .changes: ("Ændringer", "Changes"),
        .backdated: ("tilbagedateret", "backdated"),
        .retracted: ("trukket tilbage", "retracted"),
        .before: ("før", "before"),
        .after: ("efter", "after"),
        .downloadCSV: ("Hent som CSV", "Download as CSV"),
        .latest: ("Seneste måling", "Latest measurement"),
        .target: ("Mål", "Target"),
        .originalTarget: ("Oprindeligt mål", "Original target"),
        .revisedLater: ("ændret senere", "changed later"),
        .thenNow: ("Dengang ↔ nu", "Then ↔ now"),
        .then: ("Dengang", "Then"),
        .nowColumn: ("Nu", "Now"),
        .chartHeading: ("Målets historik", "Target history"),
        .chartTargetInForce: ("Gældende mål", "Target in force"),
        .chartEarlier: ("Hvad loggen sagde før en revision", "What the ledger said before a revision"),
        .chartMeasurement: ("Måling", "Measurement"),
        .chartRevision: ("Revision", "Revision"),
        .chartBackdated: ("Tilbagedateret: fra gældende dato til registrering",
                          "Backdated: from effective date to recording"),
        .chartNoTarget: ("Der er intet mål at tegne på dette tidspunkt.", "There is no target to draw at this time."),
        .chartTableCaption: ("Diagrammets data: mål og målinger", "The chart's data: targets and measurements"),
        .tightened: ("strammet", "tightened"),
        .loosened: ("lempet", "loosened"),
        .changed: ("ændret", "changed"),
        .direction: ("Retning", "Direction"),
        .onCourse: ("på kurs", "on course"),
        .offCourse: ("ikke på kurs", "off course"),
        .unknownCourse: ("ingen måling", "no measurement"),
        .latestKnown: ("Seneste kendte måling", "Latest known measurement"),
        .auditHeading: ("Ændringslog", "Audit"),
        .auditCaption: ("Hvem ændrede hvad, på tværs af alle enheder", "Who changed what, across all entities"),
        .auditFilters: ("Filtre", "Filters"),
        .auditTypeLabel: ("Hændelsestype", "Event type"),
        .auditActorLabel: ("Aktør (id)", "Actor (id)"),
        .auditFieldLabel: ("Felt (fx target)", "Field (e.g. target)"),
        .auditStreamLabel: ("Enhed (id-præfiks)", "Entity (id prefix)"),
        .auditBackdatedLabel: ("Tilbagedateret mere end (dage)", "Backdated by more than (days)"),
        .auditLoosenedLabel: ("Kun lempede mål", "Only loosened targets"),
        .auditOrderLabel: ("Rækkefølge", "Order"),
        .newestFirst: ("Nyeste først", "Newest first"),
        .oldestFirst: ("Ældste først", "Oldest first"),
        .apply: ("Filtrér", "Filter"),
        .rows: ("hændelser", "events"),
        .pageOf: ("Side %1 af %2", "Page %1 of %2"),
        .previousPage: ("Forrige side", "Previous page"),
        .nextPage: ("Næste side", "Next page"),
        .stream: ("Enhed", "Entity"),
        .lagHeading: ("Forsinkelse fra beslutning til registrering", "Delay from decision to recording"),
        .lagCaption: ("Hver prik er en hændelse: gældende dato vandret, dage til registrering lodret",
                      "Each dot is an event: effective date across, days until recorded up"),
        .lagDays: ("dage", "days"),
        .lagThreshold: ("grænse for tilbagedatering", "backdating threshold"),
        .loosenedHeading: ("Flyttede mål", "Moved goalposts"),
        .noRows: ("Ingen hændelser matcher.", "No events match."),
        .verifyHeading: ("Kontrol af loggen", "Verifying the ledger"),
        .verifyOK: ("Loggen er hel", "The ledger is intact"),
        .verifyFailed: ("Loggen er ikke hel", "The ledger is NOT intact"),
        .verifyExplain: ("Hver hændelse bærer et fingeraftryk af sig selv og af hændelsen før; "
                         + "kontrollen har regnet dem alle efter, så ingen hændelse er ændret, fjernet eller "
                         + "indsat bagefter, så længe fingeraftrykket nedenfor svarer til det, "
                         + "der blev offentliggjort.",
                         "Every event carries a fingerprint of itself and of the event before it; the check "
                         + "recomputed them all, so no event has been changed, removed or inserted afterwards, "
                         + "as long as the digest below matches the one that was published."),
        .verifyEvents: ("Hændelser", "Events"),
        .verifyStreams: ("Enheder", "Entities"),
        .verifyHead: ("Hoved", "Head"),
        .notFoundTitle: ("Ikke fundet", "Not found"),
        .badRequestTitle: ("Ugyldig forespørgsel", "Bad request"),
        .methodTitle: ("Metoden er ikke tilladt", "Method not allowed"),
        .errorTitle: ("Fejl", "Error"),
        .backHome: ("Til forsiden", "To the front page"),
        .none: ("ingen", "none"),
        .yes: ("ja", "yes"),
        .no: ("nej", "no"),
        .by: ("senest", "by"),
        .deadline: ("Frist", "Deadline"),
        .baseline: ("Udgangspunkt", "Baseline"),
        .unit: ("Enhed", "Unit"),
        .period: ("Periode", "Period"),
        .partOf: ("Del af", "Part of"),
        .goalOf: ("Indikator for", "Indicator of"),
        .signedBy: ("underskrevet af", "signed by"),
        .proof: ("bevis", "proof"),
        .unchangedSince: ("Uændret siden da.", "Unchanged since then."),
    ]

    // MARK: Sentences with numbers

    /// The target chart's `<desc>`: one sentence for a screen reader.
    func chartDescription(first: String, since: String, now: String, revisions: Int, loosened: Int, tightened: Int,
                          measurements: Int) -> String {
        switch language {
        case .da:
            return "Målet var \(first) fra \(since) og er nu \(now); det er revideret \(revisions) "
                + "gang\(revisions == 1 ? "" : "e") (\(loosened) lempet, \(tightened) strammet), "
                + "og diagrammet viser \(measurements) måling\(measurements == 1 ? "" : "er")."
        case .en:
            return "The target was \(first) from \(since) and is now \(now); it was revised \(revisions) "
                + "time\(revisions == 1 ? "" : "s") (\(loosened) loosened, \(tightened) tightened), "
                + "and the chart shows \(measurements) measurement\(measurements == 1 ? "" : "s")."
        }
    }

    /// The recording-lag plot's `<desc>`.
    func lagDescription(events: Int, late: Int, threshold: Int) -> String {
        switch language {
        case .da:
            return "\(events) hændelser; \(late) er registreret mere end \(threshold) dage efter, "
                + "de trådte i kraft."
        case .en:
            return "\(events) events; \(late) were recorded more than \(threshold) days after they took effect."
        }
    }

    // MARK: Vocabulary in words

    func kind(_ kind: EntityKind) -> String {
        switch (language, kind) {
        case (.da, .actor): return "aktør"
        case (.da, .plan): return "plan"
        case (.da, .theme): return "tema"
        case (.da, .goal): return "mål"
        case (.da, .indicator): return "indikator"
        case (.da, .initiative): return "initiativ"
        case (.en, _): return kind.rawValue
        }
    }

    /// A status as a word (never only a colour).
    func status(_ status: String) -> String {
        guard language == .da else { return status }
        return [
            "draft": "udkast", "adopted": "vedtaget", "superseded": "afløst", "retired": "udgået",
            "active": "aktiv", "achieved": "opfyldt", "missed": "ikke nået", "dropped": "opgivet",
            "removed": "fjernet",
        ][status] ?? status
    }

    /// A state member's name for people; the member's own name is shown beside it.
    func member(_ name: String) -> String {
        let words: [String: (String, String)] = [
            "name": ("Navn", "Name"), "kind": ("Art", "Kind"), "role": ("Rolle", "Role"),
            "memberOf": ("Medlem af", "Member of"), "organization": ("Organisation", "Organisation"),
            "title": ("Titel", "Title"), "summary": ("Resumé", "Summary"), "horizon": ("Periode", "Horizon"),
            "supersedes": ("Afløser", "Supersedes"), "status": ("Status", "Status"),
            "adoptedBy": ("Vedtaget af", "Adopted by"), "adoptedOn": ("Vedtaget den", "Adopted on"),
            "supersededBy": ("Afløst af", "Superseded by"), "milestones": ("Milepæle", "Milestones"),
            "links": ("Henvisninger", "Links"), "plan": ("Plan", "Plan"), "label": ("Nummer", "Label"),
            "description": ("Beskrivelse", "Description"), "order": ("Rækkefølge", "Order"),
            "theme": ("Tema", "Theme"), "target": ("Måltal", "Target"), "goal": ("Mål", "Goal"),
            "unit": ("Enhed", "Unit"), "direction": ("Retning", "Direction"), "source": ("Kilde", "Source"),
            "latest": ("Seneste måling", "Latest measurement"), "measurements": ("Antal målinger", "Measurements"),
            "tag": ("Mærke", "Tag"),
        ]
        guard let pair = words[name] else { return name }
        return language == .da ? pair.0 : pair.1
    }

    func planKind(_ kind: String) -> String {
        guard language == .da else { return kind }
        return ["vision": "vision", "strategy": "strategi", "policy": "politik", "plan": "plan"][kind] ?? kind
    }

    func eventType(_ type: EventType) -> String {
        let words: [EventType: (String, String)] = [
            .actorRegistered: ("Aktør registreret", "Actor registered"),
            .actorRevised: ("Aktør ændret", "Actor revised"),
            .planDrafted: ("Plan udkast", "Plan drafted"),
            .planRevised: ("Plan ændret", "Plan revised"),
            .planAdopted: ("Plan vedtaget", "Plan adopted"),
            .planSuperseded: ("Plan afløst", "Plan superseded"),
            .planRetired: ("Plan udgået", "Plan retired"),
            .milestoneRecorded: ("Milepæl", "Milestone"),
            .themeAdded: ("Tema tilføjet", "Theme added"),
            .themeRevised: ("Tema ændret", "Theme revised"),
            .goalDefined: ("Mål defineret", "Goal defined"),
            .goalRevised: ("Mål ændret", "Goal revised"),
            .indicatorDefined: ("Indikator defineret", "Indicator defined"),
            .indicatorRevised: ("Indikator ændret", "Indicator revised"),
            .initiativeAdded: ("Initiativ tilføjet", "Initiative added"),
            .initiativeRevised: ("Initiativ ændret", "Initiative revised"),
            .targetSet: ("Måltal fastsat", "Target set"),
            .measurementRecorded: ("Måling registreret", "Measurement recorded"),
            .statusChanged: ("Status ændret", "Status changed"),
            .linked: ("Henvisning tilføjet", "Linked"),
            .unlinked: ("Henvisning fjernet", "Unlinked"),
            .retracted: ("Tilbagetrukket", "Retracted"),
        ]
        guard let pair = words[type] else { return type.rawValue }
        return language == .da ? pair.0 : pair.1
    }

    // MARK: Dates and numbers

    static let monthsDA = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
                           "oktober", "november", "december"]
    static let monthsEN = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                           "October", "November", "December"]

    /// `22. juni 2021` / `22 June 2021` for a date; an instant adds `kl. 10.30 UTC` / `10:30 UTC`.
    /// Text that is not a date is returned as it is.
    func date(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = Int(String(text.prefix(4))),
              let month = Int(String(bytes[5...6].map { Character(UnicodeScalar($0)) })),
              let day = Int(String(bytes[8...9].map { Character(UnicodeScalar($0)) })),
              (1...12).contains(month) else { return text }
        var out = language == .da ? "\(day). \(Self.monthsDA[month - 1]) \(year)"
            : "\(day) \(Self.monthsEN[month - 1]) \(year)"
        if bytes.count >= 16, bytes[10] == UInt8(ascii: "T") {
            let hour = String(bytes[11...12].map { Character(UnicodeScalar($0)) })
            let minute = String(bytes[14...15].map { Character(UnicodeScalar($0)) })
            out += language == .da ? " kl. \(hour).\(minute) UTC" : " \(hour):\(minute) UTC"
        }
        return out
    }

    /// `2025-12-31` or an RFC 3339 instant as stored: shown as a date for people.
    static func looksLikeDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10
                || (bytes.count >= 20 && bytes[10] == UInt8(ascii: "T") && bytes.last == UInt8(ascii: "Z"))
        else { return false }
        for (index, byte) in bytes.prefix(10).enumerated() {
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            if index == 4 || index == 7 {
                if byte != UInt8(ascii: "-") { return false }
            } else if !isDigit {
                return false
            }
        }
        return true
    }

    /// `YYYY`, `YYYY-MM` and dates as a person reads them; used for as-of and known-at inputs.
    func timeInput(_ text: String) -> String {
        let parts = text.split(separator: "-")
        if parts.count == 1, text.count == 4 { return text }
        if parts.count == 2, let month = Int(parts[1]), (1...12).contains(month) {
            return (language == .da ? Self.monthsDA : Self.monthsEN)[month - 1] + " " + parts[0]
        }
        return date(text)
    }

    /// `12.345,5` in Danish, `12,345.5` in English, from the number's shortest exact form.
    func number(_ value: Double) -> String {
        let plain = JSONWriter.canonical(.number(value))
        guard !plain.contains("e") else { return plain }
        let negative = plain.hasPrefix("-")
        let digits = negative ? String(plain.dropFirst()) : plain
        let parts = digits.split(separator: ".", maxSplits: 1)
        var whole = String(parts[0])
        let (group, decimal) = language == .da ? (".", ",") : (",", ".")
        if whole.count > 4 || (whole.count == 4 && language == .en) {
            var grouped = ""
            for (index, character) in whole.reversed().enumerated() {
                if index > 0 && index % 3 == 0 { grouped.append(contentsOf: group) }
                grouped.append(character)
            }
            whole = String(grouped.reversed())
        }
        return (negative ? "-" : "") + whole + (parts.count > 1 ? decimal + parts[1] : "")
    }

    /// A value with its unit: `30 %`, `1.000 arbejdspladser`.
    func quantity(_ value: Double, unit: String?) -> String {
        guard let unit, !unit.isEmpty else { return number(value) }
        if unit == "%" { return number(value) + (language == .da ? " %" : "%") }
        return number(value) + " " + unit
    }

    /// `≥ 30 %, senest 31. december 2025`.
    func target(_ target: JSON?) -> String? {
        guard let object = target?.objectValue, let value = object["value"]?.numberValue else { return nil }
        var text = ""
        switch object["comparator"]?.stringValue {
        case ">=": text = "≥ "
        case "<=": text = "≤ "
        case "=": text = "= "
        default: break
        }
        text += quantity(value, unit: object["unit"]?.stringValue)
        if let deadline = object["deadline"]?.stringValue { text += ", \(self(.by)) \(date(deadline))" }
        if let baseline = object["baseline"]?.objectValue, let baseValue = baseline["value"]?.numberValue {
            text += " (\(self(.baseline).lowercased()) \(number(baseValue))"
                + (baseline["at"].map { " · \(plain($0))" } ?? "") + ")"
        }
        return text
    }

    /// A state value for people: strings as they are, numbers localised, the rest as JSON.
    func plain(_ value: JSON?) -> String {
        guard let value else { return "—" }
        switch value {
        case .string(let text): return Self.looksLikeDate(text) ? date(text) : text
        case .number(let number): return self.number(number)
        case .bool(let flag): return flag ? self(.yes) : self(.no)
        case .null: return "—"
        case .array(let items) where items.isEmpty: return self(.none)
        default: return JSONWriter.canonical(value)
        }
    }
}

extension TargetDirection {
    var catalogueKey: Catalogue.Key {
        switch self {
        case .tightened: return .tightened
        case .loosened: return .loosened
        case .changed: return .changed
        }
    }
}

/// Danish alphabetical order: a-z, then æ, ø, å (aa counts as å), case and accents aside.
enum DanishOrder {
    static func key(_ text: String) -> [UInt32] {
        var key: [UInt32] = []
        let lowered = text.lowercased()
        var scalars = Array(lowered.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "æ", "ä": key.append(0x7B)
            case "ø", "ö": key.append(0x7C)
            case "å": key.append(0x7D)
            case "a" where index + 1 < scalars.count && scalars[index + 1] == "a":
                key.append(0x7D)
                index += 1
            case "é", "è", "ê": key.append(UInt32(UInt8(ascii: "e")))
            case "ü": key.append(UInt32(UInt8(ascii: "y")))
            default: key.append(scalar.value)
            }
            index += 1
        }
        scalars.removeAll()
        return key
    }

    static func less(_ lhs: String, _ rhs: String) -> Bool {
        let left = key(lhs), right = key(rhs)
        return left.lexicographicallyPrecedes(right)
    }
}
