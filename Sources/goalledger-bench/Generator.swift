import GoalLedgerCore

#if canImport(Glibc)
import Glibc
#endif

/// Drawing helpers for the generator.
extension SplitMix64 {
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
}

/// A calendar day of the synthetic history; months count from January 2006.
struct Day {
    var year: Int, monthOfYear: Int, dayOfMonth: Int
    static let firstYear = 2006
    /// The history ends in June 2026: measurements stop there.
    static let lastMonth = (2026 - firstYear) * 12 + 5

    init(_ year: Int, _ monthOfYear: Int, _ dayOfMonth: Int) {
        (self.year, self.monthOfYear, self.dayOfMonth)
            = (year, monthOfYear, min(dayOfMonth, Calendar.daysInMonth(year, monthOfYear)))
    }
    init(month: Int, day: Int) { self.init(Day.firstYear + month / 12, month % 12 + 1, day) }
    init(days: Int64) {
        let civil = Calendar.civil(days)
        self.init(civil.year, civil.month, civil.day)
    }

    var month: Int { (year - Day.firstYear) * 12 + monthOfYear - 1 }
    var days: Int64 { Calendar.days(year, monthOfYear, dayOfMonth) }
    var text: String {
        "\(year)-\(monthOfYear < 10 ? "0" : "")\(monthOfYear)-" + "\(dayOfMonth < 10 ? "0" : "")\(dayOfMonth)"
    }
    var period: String { "\(year)-\(monthOfYear < 10 ? "0" : "")\(monthOfYear)" }
    var danish: String {
        "\(dayOfMonth < 10 ? "0" : "")\(dayOfMonth)." + "\(monthOfYear < 10 ? "0" : "")\(monthOfYear).\(year)"
    }
    func plus(days count: Int) -> Day { Day(days: days + Int64(count)) }
    func plus(months count: Int) -> Day { Day(month: month + count, day: dayOfMonth) }
}

/// Writes a deterministic synthetic national ledger as SPEC §4 input lines.
///
/// The model: Danish municipalities, each with its actors, a long-lived
/// plan of key figures measured weekly (streams of 1,000+ events), and every
/// four years after the local elections a vision and two to four policies
/// with themes, goals, indicators and initiatives; targets set at adoption
/// and revised at mid-term (some revisions backdated to the council meeting),
/// monthly measurements, late-reported and corrected measurements (a
/// retraction plus the corrected value, backdated), statuses at the end of
/// each period, links to the UN goals, and supersession by the next plan.
/// København's 2019 municipal plan has exactly 200 entities.
///
/// Municipalities are generated whole, largest first, and their events are
/// merged in the order a secretariat would enter them (month by month); the
/// last municipality is cut so that there are exactly `count` lines. Every prefix is a valid ledger,
/// because an event only refers to events before it.
struct Generator {
    var seed: UInt64 = 2026

    struct Summary {
        var events = 0
        var municipalities = 0
        var streams = 0
        var longestStream = ""
        var longestStreamEvents = 0
        var types: [String: Int] = [:]
        var backdated = 0
        var retracted = 0
    }

    /// Writes `count` lines to `path`; returns what was written.
    func write(count: Int, to path: String) throws -> Summary {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot create \(path)") }
        defer { close(fd) }
        var summary = Summary()
        var streamCounts: [String: Int] = [:]
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        func flush() {
            out.withUnsafeBytes { bytes in _ = Glibc.write(fd, bytes.baseAddress, bytes.count) }
            out.removeAll(keepingCapacity: true)
        }

        // Generate municipalities until their events cover `count`; then merge by entry month.
        // The last one is cut to fit: its first events in its own entry order, so the others stay whole.
        var all: [MunicipalityHistory] = []
        var total = 0
        for (index, municipality) in Municipalities.all.enumerated() where total < count {
            var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x1000_0000_01B3)
            var history = MunicipalityHistory(municipality, rng: &rng)
            if total + history.events.count > count { history.events.removeLast(total + history.events.count - count) }
            total += history.events.count
            all.append(history)
        }
        summary.municipalities = all.count
        var cursor = [Int](repeating: 0, count: all.count)
        var written = 0
        for month in 0...Day.lastMonth + 1 {
            for k in all.indices {
                let history = all[k]
                while cursor[k] < history.events.count && history.events[cursor[k]].month <= month {
                    let event = history.events[cursor[k]]
                    cursor[k] += 1
                    out.append(contentsOf: event.line)
                    out.append(0x0A)
                    streamCounts[event.stream, default: 0] += 1
                    summary.types[event.type, default: 0] += 1
                    if event.backdated { summary.backdated += 1 }
                    if event.type == "Retracted" { summary.retracted += 1 }
                    written += 1
                    if out.count >= 1 << 20 { flush() }
                }
            }
        }
        flush()
        summary.events = written
        summary.streams = streamCounts.count
        if let (stream, events) = streamCounts.max(by: {
            $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key)
        }) {
            summary.longestStream = stream
            summary.longestStreamEvents = events
        }
        return summary
    }

    /// The stream the `show --as-of` benchmark reads: København's weekly waiting-time indicator.
    static let longStream = "koebenhavn/noegletal/ventetid-genoptraening"
    /// The plan of 200 entities the `tree --as-of` benchmark reads.
    static let bigPlan = "koebenhavn/kommuneplan-2019"
}

/// One generated event: when it is entered, and its input line.
struct GeneratedEvent {
    var month: Int
    var stream: String
    var type: String
    var backdated: Bool
    var line: [UInt8]
}

/// The whole twenty-year history of one municipality, in entry order.
struct MunicipalityHistory {
    let municipality: Municipality
    var rng: SplitMix64
    var events: [GeneratedEvent] = []
    var seq = 0
    var mayor: String
    var plans: [String: String] = [:]  // policy area -> current plan id

    var slug: String { municipality.slug }
    var kb: String { slug + "/kb" }
    var staff: String { slug + "/udvikling" }

    init(_ municipality: Municipality, rng: inout SplitMix64) {
        self.municipality = municipality
        self.rng = rng
        mayor = Names.person(&self.rng)
        build()
        // Entry order: by month, stable (an event never precedes what it refers to).
        events = events.enumerated()
            .sorted { ($0.element.month, $0.offset) < ($1.element.month, $1.offset) }
            .map(\.element)
        rng = self.rng
    }

    /// Appends one input line; returns its id.
    @discardableResult
    mutating func emit(_ stream: String, _ type: String, _ effective: Day, entered: Int? = nil, actor: String,
                       reason: String? = nil, decision: String? = nil, _ data: JSONObject) -> String
    {
        seq += 1
        let id = slug + "-" + String(repeating: "0", count: max(0, 6 - String(seq).count)) + String(seq)
        // One writer of an input line for the national ledger and the other shapes.
        var writer = LineWriter()
        writer.emit(id: id, stream, type, effective.text, actor: actor, reason: reason, decision: decision, data)
        let month = entered ?? effective.month
        events.append(GeneratedEvent(month: month, stream: stream, type: type, backdated: month > effective.month,
                                     line: writer.lines[0]))
        return id
    }

    func meeting(_ day: Day, _ item: Int) -> String { "KB \(day.danish) pkt. \(item)" }

    mutating func build() {
        let start = Day(2006, 1, 2)
        emit(slug, "ActorRegistered", start, actor: slug, reason: "Kommunen registrerer sig selv som første aktør.",
             ["name": .string(municipality.name + " Kommune"), "kind": "organization"])
        emit(kb, "ActorRegistered", start, actor: slug,
             ["name": "Kommunalbestyrelsen", "kind": "body", "role": "Kommunalbestyrelse", "memberOf": .string(slug)])
        emit(slug + "/oeu", "ActorRegistered", start, actor: kb,
             ["name": "Økonomiudvalget", "kind": "body", "memberOf": .string(kb)])
        emit(slug + "/borgmester", "ActorRegistered", start, actor: kb,
             ["name": .string(mayor), "kind": "person", "role": "Borgmester", "memberOf": .string(kb)])
        emit(staff, "ActorRegistered", start, actor: kb,
             ["name": .string(Names.person(&rng)), "kind": "person",
              "role": "Udviklingskonsulent, Center for Økonomi og Strategi", "memberOf": .string(slug)])
        for (id, name) in [("tmu", "Teknik- og Miljøudvalget"), ("buu", "Børne- og Ungeudvalget"),
                           ("beu", "Beskæftigelsesudvalget")] {
            emit(slug + "/" + id, "ActorRegistered", start, actor: kb,
                 ["name": .string(name), "kind": "body", "memberOf": .string(kb)])
        }
        keyFigures()
        // Local elections in November; a new council plans the next four years.
        for election in [2005, 2009, 2013, 2017, 2021, 2025] {
            if election > 2005 && rng.chance(0.4) {
                mayor = Names.person(&rng)
                emit(slug + "/borgmester", "ActorRevised", Day(election + 1, 1, 1), actor: kb,
                     reason: "Ny borgmester efter kommunalvalget \(election).",
                     decision: meeting(Day(election, 12, rng.int(1...15)), 1), ["name": .string(mayor)])
            }
            if election < 2025 { cycle(year: max(2007, election + 1)) }
        }
    }

    /// A plan of key figures, adopted in 2006 and never superseded, measured weekly.
    mutating func keyFigures() {
        let plan = slug + "/noegletal"
        let d0 = Day(2006, 1, 16)
        emit(plan, "PlanDrafted", d0, actor: staff,
             ["organization": .string(slug), "kind": "plan", "title": "Nøgletal og ledelsesinformation",
              "summary": "Kommunens faste nøgletal, som direktionen og Økonomiudvalget følger uge for uge."])
        emit(plan, "PlanAdopted", Day(2006, 1, 31), actor: kb, decision: meeting(Day(2006, 1, 31), 4),
             ["by": .string(kb)])
        let theme = plan + "/drift"
        emit(theme, "ThemeAdded", d0, actor: staff, ["plan": .string(plan), "title": "Drift og service", "order": 1])
        let goal = plan + "/mal-1"
        emit(goal, "GoalDefined", d0, actor: staff,
             ["plan": .string(plan), "theme": .string(theme), "label": "Mål 1",
              "title": "Borgerne får hurtig og ensartet service"])
        // A big municipality tracks three key figures, a middling one two, a small one one.
        let count = switch municipality.size {
        case 1.8...: 3
        case 0.7...: 2
        default: 1
        }
        for spec in KeyFigure.all.prefix(count) {
            let ind = plan + "/" + spec.slug
            emit(ind, "IndicatorDefined", d0, actor: staff,
                 ["goal": .string(goal), "title": .string(spec.title), "unit": .string(spec.unit),
                  "direction": .string(spec.direction), "source": "Kommunens fagsystemer"])
            var target = spec.target
            emit(ind, "TargetSet", Day(2006, 1, 31), actor: kb, decision: meeting(Day(2006, 1, 31), 4),
                 ["value": .number(target), "unit": .string(spec.unit),
                  "comparator": .string(spec.direction == "decrease" ? "<=" : ">=")])
            var value = spec.start
            var day = Day(2006, 2, 6)  // a Monday
            var corrections = 0
            while day.month <= Day.lastMonth {
                value = max(0, (value + Double(rng.int(-10...10)) * spec.step).rounded(to: 1))
                if day.monthOfYear == 1 && day.dayOfMonth <= 7 && day.year % 4 == 2 {
                    target = (target * (spec.direction == "decrease" ? 0.9 : 1.05)).rounded(to: 1)
                    emit(ind, "TargetSet", day, actor: kb, reason: "Budgetaftale \(day.year): skærpet serviceniveau.",
                         decision: meeting(Day(day.year - 1, 10, 8), 3),
                         ["value": .number(target), "unit": .string(spec.unit),
                          "comparator": .string(spec.direction == "decrease" ? "<=" : ">=")])
                }
                let data: JSONObject = ["value": .number(value),
                                        "period": .string("uge \(day.dayOfMonth / 7 + 1) \(day.period)")]
                if rng.chance(0.01), day.month + 2 <= Day.lastMonth {
                    // Reported late: entered a month or two after the week it measures.
                    emit(ind, "MeasurementRecorded", day, entered: day.month + rng.int(1...2), actor: staff,
                         reason: "Indberettet for sent fra fagsystemet.", data)
                } else {
                    let id = emit(ind, "MeasurementRecorded", day, actor: staff, data)
                    if rng.chance(0.004), corrections < 8, day.month + 3 <= Day.lastMonth {
                        corrections += 1
                        correct(ind, id, measured: day, value: value, data: data)
                    }
                }
                day = day.plus(days: 7)
            }
        }
    }

    /// A wrong figure retracted a few months later, and the right one recorded with its original date.
    mutating func correct(_ ind: String, _ id: String, measured: Day, value: Double, data: JSONObject) {
        let entered = measured.month + rng.int(1...3)
        let on = Day(month: entered, day: rng.int(1...28))
        emit(ind, "Retracted", on, entered: entered, actor: staff,
             reason: "Fejl i opgørelsen; erstattes af korrigeret tal.", ["event": .string(id)])
        var fixed = data
        fixed["value"] = .number((value * 1.07).rounded(to: 1))
        emit(ind, "MeasurementRecorded", measured, entered: entered, actor: staff,
             reason: "Korrigeret tal efter fejlrettelse.", fixed)
    }

    /// One four-year cycle: a vision and the municipality's policies.
    mutating func cycle(year: Int) {
        vision(year: year)
        let areaCount = switch municipality.size {
        case 1.8...: 4
        case 1.0...: 3
        default: 2
        }
        let areas = Area.all.shuffled(using: &rng).prefix(areaCount)
        for (index, area) in areas.enumerated() {
            let drafted = Day(year, 2 + 3 * index, rng.int(1...28))
            policy(area, drafted: drafted,
                   themes: max(2, Int((Double(rng.int(3...5)) * municipality.size.squareRoot()).rounded())))
        }
        if slug == "koebenhavn" && year == 2018 {
            policy(Area.municipalPlan, drafted: Day(2019, 1, 15), themes: 10, fixed: true)
        }
    }

    mutating func vision(year: Int) {
        let id = slug + "/vision-\(year + 12)"
        let drafted = Day(year, 2, rng.int(1...20))
        var data: JSONObject = ["organization": .string(slug), "kind": "vision",
                                "title": .string("Vision \(year + 12): \(rng.pick(Texts.visions))"),
                                "horizon": ["from": .number(Double(year)), "to": .number(Double(year + 12))]]
        if let old = plans["vision"] { data["supersedes"] = .string(old) }
        emit(id, "PlanDrafted", drafted, actor: staff, data)
        emit(id, "MilestoneRecorded", drafted.plus(months: 2), actor: staff,
             ["title": "Borgermøde og temaworkshops", "kind": "inddragelse"])
        let adopted = drafted.plus(months: 5)
        for themeNo in 1...3 {
            let theme = id + "/tema-\(themeNo)"
            emit(theme, "ThemeAdded", drafted.plus(days: 10), actor: staff,
                 ["plan": .string(id),
                  "title": .string(Texts.visionThemes[(themeNo + year) % Texts.visionThemes.count]),
                  "order": .number(Double(themeNo))])
            for goalNo in 1...2 {
                let goal = id + "/mal-\(themeNo)-\(goalNo)"
                emit(goal, "GoalDefined", drafted.plus(days: 10), actor: staff,
                     ["plan": .string(id), "theme": .string(theme),
                      "label": .string("Pejlemærke \(themeNo).\(goalNo)"),
                      "title": .string(rng.pick(Texts.visionGoals))])
                emit(goal, "Linked", adopted, actor: kb,
                     ["to": .string(rng.pick(Texts.sdgs)), "relation": "bidrager til"])
            }
        }
        emit(id, "PlanAdopted", adopted, actor: kb, decision: meeting(adopted, rng.int(2...12)), ["by": .string(kb)])
        if let old = plans["vision"] {
            emit(old, "PlanSuperseded", adopted, actor: kb, decision: meeting(adopted, 1), ["by": .string(id)])
        }
        plans["vision"] = id
    }

    /// A policy (or, `fixed`, København's 200-entity municipal plan) over four years.
    mutating func policy(_ area: Area, drafted: Day, themes themeCount: Int, fixed: Bool = false) {
        let id = slug + "/" + area.slug + "-\(drafted.year)"
        let adopted = drafted.plus(months: rng.int(3...6))
        let end = min(Day.lastMonth, adopted.month + 54)  // final figures come in after the four years
        let committee = slug + "/" + rng.pick(["tmu", "buu", "beu", "oeu"])
        var data: JSONObject = ["organization": .string(slug), "kind": .string(area.kind),
                                "title": .string("\(area.title) \(drafted.year)-\(drafted.year + 4)"),
                                "summary": .string(area.summary),
                                "horizon": ["from": .number(Double(drafted.year)),
                                            "to": .number(Double(drafted.year + 4))]]
        if let old = plans[area.slug] { data["supersedes"] = .string(old) }
        emit(id, "PlanDrafted", drafted, actor: staff, data)
        emit(id, "MilestoneRecorded", drafted.plus(months: 2), actor: committee,
             ["title": "Offentlig høring", "kind": "høring"])
        var indicators: [(id: String, unit: String, direction: String, base: Double, step: Double)] = []
        var goals: [String] = []
        var initiatives: [String] = []
        var goalNo = 0, iniNo = 0
        for themeNo in 1...themeCount {
            let theme = id + "/tema-\(themeNo)"
            emit(theme, "ThemeAdded", drafted.plus(days: 7), actor: staff,
                 ["plan": .string(id),
                  "title": .string(area.themes[(themeNo - 1) % area.themes.count]
                                       + (themeNo > area.themes.count ? " \(themeNo)" : "")),
                  "label": .string("Indsatsområde \(themeNo)"), "order": .number(Double(themeNo))])
            let goalCount = fixed ? 5 : rng.int(2...3)
            for _ in 0..<goalCount {
                goalNo += 1
                let goal = id + "/mal-\(goalNo)"
                let spec = rng.pick(area.goals)
                emit(goal, "GoalDefined", drafted.plus(days: 7), actor: staff,
                     ["plan": .string(id), "theme": .string(theme), "label": .string("Mål \(goalNo)"),
                      "title": .string(spec.title)])
                goals.append(goal)
                let indicatorCount = fixed ? (goalNo % 5 == 0 ? 1 : 2) : (rng.chance(0.3) ? 2 : 1)
                for k in 1...indicatorCount {
                    let ind = goal + "/ind-\(k)"
                    emit(ind, "IndicatorDefined", drafted.plus(days: 7), actor: staff,
                         ["goal": .string(goal), "title": .string(spec.indicator + (k > 1 ? " (delmål)" : "")),
                          "unit": .string(spec.unit), "direction": .string(spec.direction),
                          "source": .string(rng.pick(Texts.sources))])
                    indicators.append((ind, spec.unit, spec.direction,
                                       spec.base * (0.8 + Double(rng.int(0...40)) / 100), spec.step))
                }
            }
            let iniCount = fixed ? 5 : rng.int(1...2)
            for _ in 0..<iniCount {
                iniNo += 1
                let ini = id + "/ini-\(iniNo)"
                emit(ini, "InitiativeAdded", drafted.plus(days: 7), actor: staff,
                     ["plan": .string(id), "theme": .string(theme), "label": .string("Initiativ \(iniNo)"),
                      "title": .string(rng.pick(area.initiatives)), "tag": .string(area.slug)])
                initiatives.append(ini)
            }
        }
        if rng.chance(0.3) {
            emit(id, "PlanRevised", drafted.plus(months: 2).plus(days: 14), actor: staff,
                 reason: "Tilrettet efter høringssvar.",
                 ["summary": .string(area.summary + " Tilrettet efter høringen.")])
        }
        let decision = meeting(adopted, rng.int(2...14))
        emit(id, "PlanAdopted", adopted, actor: kb, decision: decision, ["by": .string(kb)])
        if let old = plans[area.slug] {
            emit(old, "PlanSuperseded", adopted, actor: kb, decision: decision, ["by": .string(id)])
        }
        plans[area.slug] = id
        // Targets at adoption; a mid-term revision for some, a few backdated to the meeting.
        for goal in goals {
            let value = Double(rng.int(10...90))
            emit(goal, "TargetSet", adopted, actor: kb, decision: decision,
                 ["value": .number(value), "unit": "%", "comparator": ">=",
                  "deadline": .string(Day(drafted.year + 4, 12, 31).text),
                  "baseline": ["value": .number(value - Double(rng.int(5...15))),
                               "at": .number(Double(drafted.year - 1))]])
            if rng.chance(0.06) {
                emit(goal, "Linked", adopted, actor: kb,
                     ["to": .string(rng.pick(Texts.sdgs)), "relation": "bidrager til"])
            }
            if rng.chance(0.35), adopted.month + 24 <= Day.lastMonth {
                let mid = Day(month: adopted.month + 24, day: rng.int(1...28))
                let late = rng.chance(0.25)
                emit(goal, "TargetSet", mid, entered: late ? mid.month + rng.int(2...8) : nil, actor: kb,
                     reason: late
                        ? "Midtvejsevaluering; beslutningen blev først registreret efter referatets godkendelse."
                        : "Midtvejsevaluering af politikken.",
                     decision: meeting(mid, rng.int(2...14)),
                     ["value": .number(value + Double(rng.int(-10...10))), "unit": "%", "comparator": ">=",
                      "deadline": .string(Day(drafted.year + 4, 12, 31).text)])
            }
            if rng.chance(0.1), adopted.month + 12 <= Day.lastMonth {
                emit(goal, "GoalRevised", Day(month: adopted.month + 12, day: 10), actor: kb,
                     reason: "Præciseret målformulering.",
                     ["description": "Målet omfatter også borgere, der bor i kommunen midlertidigt."])
            }
        }
        for ini in initiatives where rng.chance(0.3) {
            if let goal = goals.randomElement(using: &rng) {
                emit(ini, "Linked", adopted, actor: staff, ["to": .string(goal), "relation": "understøtter"])
            }
        }
        for ind in indicators {
            emit(ind.id, "TargetSet", adopted, actor: kb, decision: decision,
                 ["value": .number((ind.base * (ind.direction == "decrease" ? 0.85 : 1.15)).rounded(to: 1)),
                  "unit": .string(ind.unit), "comparator": .string(ind.direction == "decrease" ? "<=" : ">=")])
        }
        // Monthly measurements while the policy runs (and, for the current ones, until the history ends).
        for ind in indicators {
            var value = ind.base
            var month = adopted.month + 1
            while month <= end {
                value = max(0, (value + Double(rng.int(-5...5)) * ind.step).rounded(to: 1))
                let on = Day(month: month, day: 15)
                let data: JSONObject = ["value": .number(value),
                                        "period": .string(Day(month: month - 1, day: 1).period)]
                if rng.chance(0.01), month + 3 <= Day.lastMonth {
                    emit(ind.id, "MeasurementRecorded", on, entered: month + rng.int(1...3), actor: staff,
                         reason: "Tallet kom sent fra Danmarks Statistik.", data)
                } else {
                    let eid = emit(ind.id, "MeasurementRecorded", on, actor: staff, data)
                    if rng.chance(0.006), month + 3 <= Day.lastMonth {
                        correct(ind.id, eid, measured: on, value: value, data: data)
                    }
                }
                month += 1
            }
        }
        // At the end of the period: statuses.
        if end == adopted.month + 54 {
            let closing = Day(month: end, day: 20)
            for goal in goals {
                emit(goal, "StatusChanged", closing, actor: kb,
                     ["status": .string(rng.chance(0.55) ? "achieved" : "missed")])
            }
            for ini in initiatives where rng.chance(0.5) {
                emit(ini, "StatusChanged", closing, actor: staff, ["status": "achieved"])
            }
        }
    }
}

extension Double {
    func rounded(to digits: Int) -> Double {
        let scale = digits == 1 ? 10.0 : 100.0
        return (self * scale).rounded() / scale
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
