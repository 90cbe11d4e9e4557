import Foundation
import GoalLedgerCore
import GoalLedgerStore

/// The SVG charts, written by hand: every text in them passes `HTML.escape`
/// (through `HTML.element`), and every number is formatted here.
enum Chart {
    /// The plot area inside a chart's view box.
    struct Frame {
        var width = 720.0
        var height = 340.0
        var left = 70.0
        var right = 24.0
        var top = 56.0
        var bottom = 44.0
        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
    }

    /// A linear map from a domain onto a pixel range.
    struct Scale {
        var domain: (low: Double, high: Double)
        var range: (low: Double, high: Double)
        func callAsFunction(_ value: Double) -> Double {
            let span = domain.high - domain.low
            guard span != 0 else { return (range.low + range.high) / 2 }
            return range.low + (value - domain.low) / span * (range.high - range.low)
        }
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static let secondsPerDay = 86_400.0

    /// Seconds since 1970 of an effective time (its stored key).
    static func seconds(_ effective: Effective) -> Double { Double(effective.key) }

    static func seconds(recorded: String) -> Double? {
        (try? Recorded(stored: recorded)).map { Double($0.micros) / 1_000_000 }
    }

    /// 1, 2 or 5 times a power of ten: about `count` ticks over the domain.
    static func niceTicks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        let span = high - low
        guard span > 0, span.isFinite else { return [low] }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var tick = (low / step).rounded(.up) * step
        while tick <= high + step * 1e-9 {
            ticks.append(tick)
            tick += step
        }
        return ticks
    }

    /// January 1st of each year in the domain (every second or fifth year when long).
    static func yearTicks(_ low: Double, _ high: Double) -> [(seconds: Double, year: Int)] {
        let first = Calendar.civil(Int64(floor(low / secondsPerDay))).year + 1
        let last = Calendar.civil(Int64(floor(high / secondsPerDay))).year
        guard first <= last else { return [] }
        let years = last - first + 1
        // A label every year for a decade, every other year up to 24, else every fifth.
        let step = switch years {
        case ...10: 1
        case ...24: 2
        default: 5
        }
        return stride(from: first, through: last, by: step).map { year in
            (Double(Calendar.days(year, 1, 1)) * secondsPerDay, year)
        }
    }

    static func axes(_ frame: Frame, x xScale: Scale, y yScale: Scale, xTicks: [(Double, String)], yTicks: [Double],
                     yLabel: String, _ text: Catalogue) -> HTML {
        var marks = HTML.empty
        for tick in yTicks {
            let position = yScale(tick)
            marks += HTML.void("line", [("x1", format(frame.left)), ("x2", format(frame.width - frame.right)),
                                        ("y1", format(position)), ("y2", format(position)), ("class", "grid")],
                               selfClosing: true)
            marks += HTML.element("text", [("x", format(frame.left - 8)), ("y", format(position + 4)),
                                           ("text-anchor", "end"), ("class", "tick")], Tag.text(text.number(tick)))
        }
        for (seconds, label) in xTicks {
            let position = xScale(seconds)
            marks += HTML.void("line", [("x1", format(position)), ("x2", format(position)),
                                        ("y1", format(frame.height - frame.bottom)),
                                        ("y2", format(frame.height - frame.bottom + 5)), ("class", "axis")],
                               selfClosing: true)
            marks += HTML.element("text", [("x", format(position)), ("y", format(frame.height - frame.bottom + 20)),
                                           ("text-anchor", "middle"), ("class", "tick")], Tag.text(label))
        }
        marks += HTML.void("line", [("x1", format(frame.left)), ("x2", format(frame.width - frame.right)),
                                    ("y1", format(frame.height - frame.bottom)),
                                    ("y2", format(frame.height - frame.bottom)), ("class", "axis")], selfClosing: true)
        marks += HTML.void("line", [("x1", format(frame.left)), ("x2", format(frame.left)), ("y1", format(frame.top)),
                                    ("y2", format(frame.height - frame.bottom)), ("class", "axis")], selfClosing: true)
        marks += HTML.element("text", [("x", "12"), ("y", format(frame.top - 10)), ("class", "axis-label")],
                              Tag.text(yLabel))
        return marks
    }

    // MARK: Target history

    /// The target-history chart (issue 10): the target in force as a solid
    /// step line, what the ledger said before each revision as thin dashed
    /// steps, measurements as dots, a rule at each revision (▲ tightened,
    /// ▼ loosened), a hatched band from a backdated revision's effective date
    /// to its recording; then the same data as a table.
    static func targetHistory(_ chart: TargetChart, view: EntityView, _ settings: RenderSettings) -> HTML {
        let text = settings.text
        let frame = Frame()
        let unit = chart.unit
        // Domains.
        var times = chart.steps.map { seconds($0.from) } + chart.measurements.map { seconds($0.effective) }
        var values = chart.steps.compactMap { $0.target["value"]?.numberValue } + chart.measurements.map(\.value)
        for (_, steps) in chart.earlier { values += steps.compactMap { $0.target["value"]?.numberValue } }
        for step in chart.steps {
            if let deadline = step.target["deadline"]?.stringValue, let effective = try? Effective(parsing: deadline) {
                times.append(seconds(effective))
            }
        }
        let backdated = chart.revisions.filter { $0.backdatedDays > Int64(chart.backdatedThresholdDays) }
        for revision in backdated {
            if let recorded = seconds(recorded: revision.row.event.recorded) { times.append(recorded) }
        }
        if let asOf = view.point.asOf { times.append(Double(asOf.effectiveKeyBound)) }
        let earliest = times.min() ?? 0, latest = times.max() ?? 0
        let timePad = max((latest - earliest) * 0.04, 30 * secondsPerDay)
        let xScale = Scale(domain: (earliest - timePad, latest + timePad),
                           range: (frame.left, frame.width - frame.right))
        var low = values.min() ?? 0, high = values.max() ?? 1
        if low == high {
            low -= max(1, abs(low) * 0.1)
            high += max(1, abs(high) * 0.1)
        }
        let valuePad = (high - low) * 0.12
        low = low >= 0 && low - valuePad < 0 ? 0 : low - valuePad
        high += valuePad
        let yTicks = niceTicks(low, high)
        let yScale = Scale(domain: (min(low, yTicks.first ?? low), max(high, yTicks.last ?? high)),
                           range: (frame.height - frame.bottom, frame.top))
        let xEnd = xScale.domain.high

        var svg = HTML.element("title", [("id", "chart-title")],
                               Tag.text(text(.chartHeading) + ": " + Pages.headline(view)))
        svg += HTML.element("desc", [("id", "chart-desc")], Tag.text(description(chart, text)))
        svg += HTML.element("defs", [],
                            HTML.element("pattern", [("id", "hatch"), ("width", "8"), ("height", "8"),
                                                     ("patternUnits", "userSpaceOnUse"),
                                                     ("patternTransform", "rotate(45)")],
                                         HTML.void("line", [("x1", "0"), ("y1", "0"), ("x2", "0"), ("y2", "8"),
                                                            ("class", "hatch-line")], selfClosing: true)))
        svg += axes(frame, x: xScale, y: yScale,
                    xTicks: yearTicks(xScale.domain.low, xScale.domain.high).map { ($0.seconds, String($0.year)) },
                    yTicks: yTicks, yLabel: unit ?? "", text)
        // Backdated bands under everything else.
        for revision in backdated {
            guard let recorded = seconds(recorded: revision.row.event.recorded) else { continue }
            let from = xScale(seconds(revision.row.event.effective)), to = xScale(min(recorded, xEnd))
            svg += HTML.element("rect", [("x", format(from)), ("y", format(frame.top)),
                                         ("width", format(max(1, to - from))), ("height", format(frame.plotHeight)),
                                         ("class", "backdated-band")],
                                HTML.element("title", [],
                                             Tag.text(text(.chartBackdated) + ": "
                                                          + text.date(revision.row.event.effective.text) + " – "
                                                          + text.date(revision.row.event.recorded))))
        }
        // What the ledger said before each revision.
        for (_, steps) in chart.earlier where !steps.isEmpty {
            svg += HTML.void("path", [("d", stepPath(steps, x: xScale, y: yScale, end: xEnd)), ("class", "earlier")],
                             selfClosing: true)
        }
        // The target in force.
        svg += HTML.void("path", [("d", stepPath(chart.steps, x: xScale, y: yScale, end: xEnd)), ("class", "target")],
                         selfClosing: true)
        // Revisions: a rule with date, old → new and the decision.
        for (index, revision) in chart.revisions.enumerated() {
            let position = xScale(seconds(revision.row.event.effective))
            let arrow = switch revision.direction {
            case .loosened: "▼"
            case .tightened: "▲"
            case .changed, nil: "◆"
            }
            let kind = revision.direction?.rawValue ?? "changed"
            let label = "\(index + 1) \(arrow) " + shortChange(revision, text)
            let full = "\(index + 1). " + revisionText(revision, text)
            let labelY = frame.top - 8 - Double(index % 2) * 16
            svg += HTML.element("g", [("class", "revision " + kind)],
                                HTML.element("title", [], Tag.text(full)),
                                HTML.void("line", [("x1", format(position)), ("x2", format(position)),
                                                   ("y1", format(labelY + 4)),
                                                   ("y2", format(frame.height - frame.bottom))], selfClosing: true),
                                HTML.element("text", [("x", format(position + 3)), ("y", format(labelY)),
                                                      ("class", "revision-label")], Tag.text(label)))
        }
        // Measurements.
        for measurement in chart.measurements {
            svg += HTML.element("circle", [("cx", format(xScale(seconds(measurement.effective)))),
                                           ("cy", format(yScale(measurement.value))), ("r", "4.5"),
                                           ("class", "measurement")],
                                HTML.element("title", [], Tag.text(text.quantity(measurement.value, unit: unit) + ", "
                                                                     + text.date(measurement.effective.text))))
        }
        if let asOf = view.point.asOf {
            let position = xScale(Double(asOf.effectiveKeyBound))
            svg += HTML.void("line", [("x1", format(position)), ("x2", format(position)), ("y1", format(frame.top)),
                                      ("y2", format(frame.height - frame.bottom)), ("class", "as-of")],
                             selfClosing: true)
        }
        let picture = HTML.element("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("role", "img"),
                                           ("aria-labelledby", "chart-title chart-desc"),
                                           ("viewBox", "0 0 \(format(frame.width)) \(format(frame.height))"),
                                           ("class", "chart")], svg)
        var caption = legend(chart, backdated: !backdated.isEmpty, text)
        if !chart.revisions.isEmpty {
            caption += HTML.element("ol", [("class", "revisions")], children: chart.revisions.map { revision in
                Tag.li(Tag.text(revisionText(revision, text)))
            })
        }
        // At 320 px the chart keeps a readable size and scrolls in its figure, reachable by keyboard.
        return HTML.element("figure", [("class", "chart"), ("tabindex", "0")], picture,
                            HTML.element("figcaption", [], caption))
            + dataTable(chart, text)
    }

    /// `30 → 27, frist 2025 → 2026`: what a revision moved, short enough to stand on the chart.
    static func shortChange(_ revision: TargetChart.Revision, _ text: Catalogue) -> String {
        var parts: [String] = []
        let old = revision.before?["value"]?.numberValue, new = revision.after["value"]?.numberValue
        if old != new {
            parts.append("\(old.map { text.number($0) } ?? "—") → \(new.map { text.number($0) } ?? "—")")
        }
        let oldDeadline = revision.before?["deadline"]?.stringValue
        let newDeadline = revision.after["deadline"]?.stringValue
        if oldDeadline != newDeadline {
            let word = text(.deadline).lowercased()
            let from = oldDeadline.map { String($0.prefix(4)) }, to = newDeadline.map { String($0.prefix(4)) }
            parts.append(from == nil ? "\(word) \(to ?? "—")" : "\(word) \(from ?? "—") → \(to ?? "—")")
        }
        return parts.isEmpty ? text(.changed) : parts.joined(separator: ", ")
    }

    /// `15. januar 2023: ≥ 30 % → ≥ 27 %, senest …; lempet; KB 15.01.2023 pkt. 9`.
    static func revisionText(_ revision: TargetChart.Revision, _ text: Catalogue) -> String {
        var out = text.date(revision.row.event.effective.text) + ": "
            + (text.target(.object(revision.before ?? [:])) ?? "—") + " → "
            + (text.target(.object(revision.after)) ?? "—")
        if let direction = revision.direction { out += "; " + text(direction.catalogueKey) }
        if let decision = revision.row.event.decision { out += "; " + decision }
        return out
    }

    /// One sentence for a screen reader: the first target, the current one, the revisions and measurements.
    static func description(_ chart: TargetChart, _ text: Catalogue) -> String {
        let first = chart.steps.first.flatMap { text.target(.object($0.target)) } ?? "—"
        let last = chart.steps.last.flatMap { text.target(.object($0.target)) } ?? "—"
        let loosened = chart.revisions.filter { $0.direction == .loosened }.count
        let tightened = chart.revisions.filter { $0.direction == .tightened }.count
        let firstDate = chart.steps.first.map { text.date($0.from.text) } ?? ""
        return text.chartDescription(first: first, since: firstDate, now: last, revisions: chart.revisions.count,
                                     loosened: loosened, tightened: tightened, measurements: chart.measurements.count)
    }

    /// `M x0 y0 H x1 V y1 H x2 …`: each target from its effective date to the next one's, the last to `end`.
    static func stepPath(_ steps: [TargetChart.Step], x xScale: Scale, y yScale: Scale, end: Double) -> String {
        var path = ""
        for (index, step) in steps.enumerated() {
            guard let value = step.target["value"]?.numberValue else { continue }
            let from = xScale(seconds(step.from))
            let to = index + 1 < steps.count ? xScale(seconds(steps[index + 1].from)) : xScale(end)
            path += path.isEmpty ? "M\(format(from)) \(format(yScale(value)))" : " V\(format(yScale(value)))"
            path += " H\(format(to))"
        }
        return path
    }

    static func legend(_ chart: TargetChart, backdated: Bool, _ text: Catalogue) -> HTML {
        func swatch(_ shape: HTML) -> HTML {
            HTML.element("svg", [("width", "28"), ("height", "14"), ("viewBox", "0 0 28 14"), ("aria-hidden", "true"),
                                 ("focusable", "false")], shape)
        }
        var items = [
            Tag.li(swatch(HTML.void("line", [("x1", "0"), ("x2", "28"), ("y1", "7"), ("y2", "7"), ("class", "target")],
                                    selfClosing: true)) + Tag.text(" " + text(.chartTargetInForce))),
        ]
        if !chart.earlier.isEmpty {
            items.append(Tag.li(swatch(HTML.void("line", [("x1", "0"), ("x2", "28"), ("y1", "7"), ("y2", "7"),
                                                          ("class", "earlier")], selfClosing: true))
                                + Tag.text(" " + text(.chartEarlier))))
        }
        if !chart.measurements.isEmpty {
            items.append(Tag.li(swatch(HTML.void("circle", [("cx", "14"), ("cy", "7"), ("r", "4.5"),
                                                            ("class", "measurement")], selfClosing: true))
                                + Tag.text(" " + text(.chartMeasurement))))
        }
        if !chart.revisions.isEmpty {
            items.append(Tag.li(Tag.text("▲ " + text(.tightened) + " · ▼ " + text(.loosened)
                                             + " · ◆ " + text(.changed)
                                             + " (" + text(.chartRevision).lowercased() + ")")))
        }
        if backdated {
            items.append(Tag.li(swatch(HTML.void("rect", [("x", "0"), ("y", "0"), ("width", "28"), ("height", "14"),
                                                          ("class", "backdated-band")], selfClosing: true))
                                + Tag.text(" " + text(.chartBackdated))))
        }
        return Tag.ul(items, class: "legend")
    }

    static func dataTable(_ chart: TargetChart, _ text: Catalogue) -> HTML {
        var entries: [(key: (Int64, Int64), cells: [HTML])] = []
        func recorded(_ recorded: String, effective: Effective) -> HTML {
            var cell = Tag.text(text.date(recorded))
            if let seconds = seconds(recorded: recorded),
               seconds - Chart.seconds(effective) > Double(chart.backdatedThresholdDays) * secondsPerDay {
                cell += Tag.span(Tag.text(text(.backdated)), class: "badge backdated")
            }
            return cell
        }
        for step in chart.steps {
            let revision = chart.revisions.first { $0.row.event.position == step.event.position }
            var what = Tag.text(text(.target))
            if let direction = revision?.direction { what += Tag.text(" ") + Pages.directionBadge(direction, text) }
            let change = revision.map { (text.target(.object($0.before ?? [:])) ?? "—") + " → " } ?? ""
            entries.append(((step.from.key, step.event.position), [
                Tag.text(text.date(step.from.text)), what,
                Tag.text(change + (text.target(.object(step.target)) ?? "—")),
                Tag.text(step.event.decision ?? ""), recorded(step.event.recorded, effective: step.from),
            ]))
        }
        for measurement in chart.measurements {
            entries.append(((measurement.effective.key, Int64.max), [
                Tag.text(text.date(measurement.effective.text)),
                Tag.text(text(.chartMeasurement)) + HTML.element("span", [("class", "member")],
                                                                  Tag.text(" (" + measurement.indicator + ")")),
                Tag.text(text.quantity(measurement.value, unit: chart.unit)
                             + (measurement.period.map { " (\($0))" } ?? "")),
                .empty, recorded(measurement.recorded, effective: measurement.effective),
            ]))
        }
        entries.sort { $0.key < $1.key }
        return Tag.table(caption: text(.chartTableCaption),
                         headers: [text(.effective), text(.type), text(.value), text(.decision), text(.recorded)],
                         rows: entries.map(\.cells), rowHeaders: true, class: "chart-data")
    }

    // MARK: Recording lag

    /// A dot per event: effective date across, days from effective to recorded up, and a
    /// reference line at the backdating threshold.
    static func lagPlot(_ points: [(effective: Effective, days: Double)], threshold: Int,
                        _ settings: RenderSettings) -> HTML {
        let text = settings.text
        let frame = Frame(height: 300, top: 40)
        let times = points.map { seconds($0.effective) }
        let earliest = times.min() ?? 0, latest = times.max() ?? 0
        let pad = max((latest - earliest) * 0.04, 30 * secondsPerDay)
        let xScale = Scale(domain: (earliest - pad, latest + pad),
                           range: (frame.left, frame.width - frame.right))
        let highest = max(points.map(\.days).max() ?? 0, Double(threshold)) * 1.1 + 1
        let lowest = min(points.map(\.days).min() ?? 0, 0)
        let yTicks = niceTicks(lowest, highest)
        let yScale = Scale(domain: (lowest, max(highest, yTicks.last ?? highest)),
                           range: (frame.height - frame.bottom, frame.top))
        let above = points.filter { $0.days > Double(threshold) }.count
        let description = text.lagDescription(events: points.count, late: above, threshold: threshold)
        var svg = HTML.element("title", [("id", "lag-title")], Tag.text(text(.lagHeading)))
        svg += HTML.element("desc", [("id", "lag-desc")], Tag.text(description))
        svg += axes(frame, x: xScale, y: yScale,
                    xTicks: yearTicks(xScale.domain.low, xScale.domain.high).map { ($0.seconds, String($0.year)) },
                    yTicks: yTicks, yLabel: text(.lagDays), text)
        let reference = yScale(Double(threshold))
        svg += HTML.void("line", [("x1", format(frame.left)), ("x2", format(frame.width - frame.right)),
                                  ("y1", format(reference)), ("y2", format(reference)), ("class", "threshold")],
                         selfClosing: true)
        svg += HTML.element("text", [("x", format(frame.width - frame.right)), ("y", format(reference - 6)),
                                     ("text-anchor", "end"), ("class", "tick")],
                            Tag.text("\(text(.lagThreshold)): \(threshold) \(text(.lagDays))"))
        for point in points {
            svg += HTML.void("circle", [("cx", format(xScale(seconds(point.effective)))),
                                        ("cy", format(yScale(point.days))), ("r", "3"),
                                        ("class", point.days > Double(threshold) ? "lag late" : "lag")],
                             selfClosing: true)
        }
        return HTML.element("figure", [("class", "chart"), ("tabindex", "0")],
                            HTML.element("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("role", "img"),
                                                 ("aria-labelledby", "lag-title lag-desc"),
                                                 ("viewBox", "0 0 \(format(frame.width)) \(format(frame.height))"),
                                                 ("class", "chart")], svg),
                            HTML.element("figcaption", [], Tag.text(text(.lagCaption) + ". " + description)))
    }
}
