import GoalLedgerCore
import GoalLedgerStore
import GoalLedgerWeb

/// Human output: aligned text that fits an 80-column terminal.
enum TextRender {
    static let width = 80

    /// A scalar for people: strings bare, numbers as JSON prints them, the rest as JSON.
    static func value(_ json: JSON?) -> String {
        guard let json else { return "—" }
        switch json {
        case .string(let text): return text
        case .array(let items) where items.isEmpty: return "(none)"
        default: return JSONWriter.canonical(json)
        }
    }

    /// `text` on one line of at most `width` characters, cut with `…` when longer.
    static func clip(_ text: String, _ width: Int) -> String {
        let flat = String(text.map { $0 == "\n" ? " " : $0 })
        return flat.count <= width ? flat : String(flat.prefix(max(1, width - 1))) + "…"
    }

    static func padRight(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// Word-wraps text to the width, every line after the first indented.
    static func wrap(_ text: String, indent: Int, first: Int? = nil) -> [String] {
        var lines: [String] = []
        var line = ""
        var avail = width - (first ?? indent)
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            if !line.isEmpty && line.count + 1 + word.count > avail {
                lines.append(line)
                line = ""
                avail = width - indent
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines.enumerated()
            .map { $0.offset == 0 ? $0.element : String(repeating: " ", count: indent) + $0.element }
    }

    /// `≥ 30 % by 2025-12-31 (baseline 22 in 2020)`.
    static func target(_ json: JSON?) -> String? {
        guard let target = json?.objectValue else { return nil }
        var text = ""
        if let comparator = target["comparator"]?.stringValue {
            let symbol = switch comparator {
            case ">=": "≥"
            case "<=": "≤"
            default: "="
            }
            text += symbol + " "
        }
        text += value(target["value"]) + " " + value(target["unit"])
        if let deadline = target["deadline"]?.stringValue { text += " by \(deadline)" }
        if let baseline = target["baseline"]?.objectValue {
            text += " (baseline \(value(baseline["value"])) in \(value(baseline["at"])))"
        }
        return text
    }

    static func latest(_ json: JSON?) -> String? {
        guard let latest = json?.objectValue else { return nil }
        var text = value(latest["value"])
        if let period = latest["period"]?.stringValue { text += " for \(period)" }
        return text + " (\(value(latest["effective"])))"
    }

    static func when(_ point: PointInTime) -> String {
        var parts: [String] = []
        if let asOf = point.asOf { parts.append("as of \(asOf.input)") }
        if let knownAt = point.knownAt { parts.append("known at \(knownAt.input)") }
        return parts.isEmpty ? "now" : parts.joined(separator: ", ")
    }

    static func show(_ view: EntityView) -> [String] {
        var out = ["\(view.id)  (\(view.kind.rawValue), \(when(view.point)))"]
        let state = view.state
        for name in view.kind.stateOrder {
            guard let field = state[name] else { continue }
            let label = "  " + padRight(name, 13)
            switch name {
            case "target": out.append(label + (target(field) ?? value(field)))
            case "latest": out.append(label + (latest(field) ?? value(field)))
            case "horizon":
                let span = field.objectValue
                out.append(label + "\(value(span?["from"])) – \(value(span?["to"]))")
            case "milestones", "links":
                let items = field.arrayValue ?? []
                if items.isEmpty {
                    out.append(label + "(none)")
                    continue
                }
                out.append(label.trimmingTrailingSpaces())
                for item in items {
                    let member = item.objectValue
                    let line = name == "milestones"
                        ? "\(value(member?["date"]))  \(value(member?["title"]))"
                            + (member?["kind"].map { " [\(value($0))]" } ?? "")
                        : "→ \(value(member?["to"]))" + (member?["relation"].map { " (\(value($0)))" } ?? "")
                    out += wrap(line, indent: 8, first: 6).enumerated()
                        .map { $0.offset == 0 ? "    • " + $0.element : $0.element }
                }
            default:
                out += wrap(value(field), indent: 15, first: 15).enumerated()
                    .map { $0.offset == 0 ? label + $0.element : $0.element }
            }
        }
        let change = view.lastChange
        out.append("version \(view.folded.version) · last change #\(change.position) \(change.type.rawValue), "
                   + "effective \(change.effective.text)")
        let who = "  by \(change.actor), recorded \(change.recorded) by \(change.recordedBy)"
        out += who.count <= width
            ? [who]
            : ["  by \(change.actor)", "  recorded \(change.recorded) by \(change.recordedBy)"]
        if let reason = change.reason {
            out += wrap("reason: " + reason, indent: 10, first: 2).enumerated()
                .map { $0.offset == 0 ? "  " + $0.element : $0.element }
        }
        if let decision = change.decision { out.append("  decision: " + clip(decision, width - 12)) }
        if let sigs = change.sigs { out.append("  signed by " + clip(signerNames(sigs), width - 12)) }
        return out
    }

    /// `list`: one row per entity, id, kind, status and title in columns. With `--kind` every row has
    /// the same kind, so `kindColumn` is false: that column is left out and the title gets the room.
    static func list(_ views: [EntityView], kindColumn: Bool) -> [String] {
        let idWidth = min(44, views.map(\.id.count).max() ?? 2)
        return views.map { view in
            let status = padRight(view.state.status ?? "", 10)
            let left = padRight(clip(view.id, idWidth), idWidth) + "  "
                + (kindColumn ? padRight(view.kind.rawValue, 10) + " " : "") + status + " "
            return left + clip(view.state.title ?? "", max(10, width - left.count))
        }
    }

    static func short(_ id: String, under plan: String) -> String {
        id.hasPrefix(plan + "/") ? String(id.dropFirst(plan.count + 1)) : id
    }

    /// `Mål 3: 30 pct. …`, `1. [Infrastruktur] I Ballerup …`: label, tag and title as a plan document writes them.
    static func headline(_ view: EntityView) -> String {
        var title = view.state.title ?? ""
        if let tag = view.state["tag"]?.stringValue { title = "[\(tag)] " + title }
        guard let label = view.state["label"]?.stringValue else { return title }
        return label.hasSuffix(".") || label.hasSuffix(":") ? "\(label) \(title)" : "\(label): \(title)"
    }

    static func tree(_ tree: TreeView) -> [String] {
        let plan = tree.plan
        let planID = plan.id
        var status = plan.state.status ?? ""
        if let by = plan.state["supersededBy"]?.stringValue { status += " by \(by)" }
        if let on = plan.state["adoptedOn"]?.stringValue {
            status += status == "adopted" ? " \(on)" : ", adopted \(on)"
        }
        var out = ["\(planID) (\(value(plan.state["kind"])), \(status), \(when(plan.point)))"]
        out += wrap(plan.state.title ?? "", indent: 2, first: 2).enumerated()
            .map { $0.offset == 0 ? "  " + $0.element : $0.element }
        let goalsByTheme = Dictionary(grouping: tree.goals, by: { $0.state["theme"]?.stringValue ?? "" })
        let initiativesByTheme = Dictionary(grouping: tree.initiatives, by: { $0.state["theme"]?.stringValue ?? "" })
        let indicatorsByGoal = Dictionary(grouping: tree.indicators, by: { $0.state["goal"]?.stringValue ?? "" })

        func line(_ depth: Int, _ tag: String, _ view: EntityView, extra: String? = nil) {
            let indent = String(repeating: "  ", count: depth)
            var status = view.state.status ?? ""
            status = status == "active" ? "" : " [\(status)]"
            // One entry: its id, then its headline on the same line, wrapped under it.
            let head = "\(indent)\(tag) \(short(view.id, under: planID))\(status)  "
            out += wrap(headline(view), indent: indent.count + 4, first: head.count).enumerated().map {
                $0.offset == 0 ? head + $0.element : $0.element
            }
            if let extra {
                out += wrap(extra, indent: indent.count + 6, first: indent.count + 4).enumerated().map {
                    $0.offset == 0 ? indent + "    " + $0.element : $0.element
                }
            }
        }
        func goal(_ goal: EntityView, _ depth: Int) {
            line(depth, "goal", goal, extra: target(goal.state["target"]).map { "target " + $0 })
            for indicator in indicatorsByGoal[goal.id] ?? [] {
                var extra: [String] = []
                if let targetText = target(indicator.state["target"]) { extra.append("target " + targetText) }
                if let latestText = latest(indicator.state["latest"]) { extra.append("latest " + latestText) }
                line(depth + 1, "indicator", indicator, extra: extra.isEmpty ? nil : extra.joined(separator: "; "))
            }
        }
        for theme in tree.themes {
            line(1, "theme", theme)
            for themeGoal in goalsByTheme[theme.id] ?? [] { goal(themeGoal, 2) }
            for initiative in initiativesByTheme[theme.id] ?? [] { line(2, "initiative", initiative) }
        }
        let themeIDs = Set(tree.themes.map(\.id))
        // Goals and initiatives under no theme of the plan come last, one level up.
        for planGoal in tree.goals where !themeIDs.contains(planGoal.state["theme"]?.stringValue ?? "") {
            goal(planGoal, 1)
        }
        for initiative in tree.initiatives
        where !themeIDs.contains(initiative.state["theme"]?.stringValue ?? "") {
            line(1, "initiative", initiative)
        }
        return out
    }

    static func diff(_ diff: DiffView) -> [String] {
        var out = ["\(diff.id)  \(diff.from) → \(diff.to)"]
        if diff.changes.isEmpty { out.append("  (no changes)") }
        for change in diff.changes { out.append("  " + clip(changeLine(change), width - 2)) }
        if let entities = diff.entities {
            out.append("entities:" + (entities.isEmpty ? " (no changes)" : ""))
            for entity in entities {
                out.append("  \(padRight(entity.change, 8)) \(entity.id)")
                if entity.change == "changed" {
                    for change in entity.changes { out.append("      " + clip(changeLine(change), width - 6)) }
                }
            }
        }
        return out
    }

    static func changeLine(_ change: Change) -> String {
        // Lists (milestones, links) say what was added and removed, not two clipped JSON arrays.
        if change.before?.arrayValue != nil || change.after?.arrayValue != nil {
            let before = change.before?.arrayValue ?? [], after = change.after?.arrayValue ?? []
            let added = after.filter { !before.contains($0) }, removed = before.filter { !after.contains($0) }
            var parts: [String] = []
            if !added.isEmpty { parts.append("+\(added.count): " + added.map(item).joined(separator: "; ")) }
            if !removed.isEmpty { parts.append("−\(removed.count): " + removed.map(item).joined(separator: "; ")) }
            if !parts.isEmpty { return "\(change.field): " + parts.joined(separator: " ") }
        }
        return "\(change.field): \(change.before.map { clip(value($0), 30) } ?? "∅") → "
            + "\(change.after.map { clip(value($0), 30) } ?? "∅")"
    }

    /// One element of a list in a state: a link by its target, a milestone by its date and title.
    static func item(_ json: JSON) -> String {
        guard let object = json.objectValue else { return value(json) }
        if let to = object["to"]?.stringValue { return "→ " + to }
        if let date = object["date"]?.stringValue, let title = object["title"]?.stringValue {
            return "\(date) \(title)"
        }
        return value(json)
    }

    /// The names of an event's signing keys (SPEC §10), each once.
    static func signerNames(_ sigs: [EventSignature]) -> String {
        var names: [String] = []
        for name in sigs.map(\.name) where !names.contains(name) { names.append(name) }
        return names.joined(separator: ", ")
    }

    static func history(_ row: HistoryRow, withStream: Bool) -> [String] {
        let event = row.event
        var out: [String] = []
        var head = "#\(event.position)"
        if withStream { head += "  \(event.stream)" }
        head += "  v\(event.version)  \(event.type.rawValue)"
        if let by = row.retractedBy { head += "  (retracted by #\(by))" }
        out.append(head)
        out.append("    effective \(event.effective.text)  recorded \(event.recorded)")
        out.append("    actor \(event.actor)  recorded by \(event.recordedBy)")
        if let sigs = event.sigs { out.append("    signed by " + clip(signerNames(sigs), width - 14)) }
        if let reason = event.reason {
            out += wrap("reason: " + reason, indent: 12, first: 4).enumerated()
                .map { $0.offset == 0 ? "    " + $0.element : $0.element }
        }
        if let decision = event.decision { out.append("    decision: " + clip(decision, width - 14)) }
        for change in row.changes { out.append("    " + clip(changeLine(change), width - 4)) }
        if let direction = row.targetDirection, direction != .changed { out.append("    target \(direction.rawValue)") }
        return out
    }

    /// `append`: what happened to the event and where it stands.
    static func appended(_ outcome: AppendOutcome) -> String {
        let event = outcome.event
        let verb = if case .skipped = outcome { "skipped (already present)" } else { "appended" }
        return "\(verb): position \(event.position)  \(event.stream) v\(event.version)  "
            + "\(event.type.rawValue)  id \(event.id)"
    }

    /// `head`, and the digest to publish: `POSITION HASH`.
    static func head(_ head: (position: Int64, hash: String)) -> String { "\(head.position) \(head.hash)" }

    /// `replay`: how many events were folded.
    static func replayed(_ count: Int64) -> String { "replayed \(count) events" }

    /// `replay --into FILE`: how many entities the historical view holds, and as of when.
    static func historicalView(_ count: Int, _ point: PointInTime, path: String) -> String {
        "wrote \(count) entities \(when(point)) to \(path)"
    }

    /// `site`: how much was written where.
    static func site(_ report: SiteWriter.Report, out: String) -> String {
        "wrote \(report.pages) pages and \(report.files) other files "
            + "(\(report.copies) cop\(report.copies == 1 ? "y" : "ies")) to \(out)"
    }

    /// `verify-proof`: the event the proof shows in the signed tree.
    static func proofVerified(_ event: Event, quorum: Int) -> String {
        "ok: position \(event.position) (\(event.stream) v\(event.version) \(event.type.rawValue)) "
            + "is in the signed tree\(quorum > 0 ? ", cosigned by \(quorum) or more witnesses" : "")"
    }

    /// `audit`'s last line: how many events matched.
    static func eventCount(_ count: Int) -> String { "\(count) event\(count == 1 ? "" : "s")" }

    /// `verify`: the integrity verdict and the head to publish; `extends` names the digest or
    /// checkpoint that `--against` proved the ledger still extends.
    static func verify(_ report: VerifyReport, extends: String? = nil) -> [String] {
        guard let head = report.head else { return ["ok: empty ledger"] }
        var out = ["ok: \(report.events) events in \(report.streams) streams; chain, guard and projections intact"]
        if let extends { out.append("extends \(extends)") }
        out.append("head \(head.position) \(head.hash)")
        return out
    }

    /// `audit --loosened`: what the ledger knew of the goal when the revision was recorded.
    static func revisionContext(_ context: RevisionContext?) -> [String] {
        guard let context else { return ["    latest known measurement: none"] }
        var line = "    latest known measurement: " + (latest(.object(context.latest)) ?? "—")
            + " of " + context.indicator
        if let onCourse = context.onCourse { line += onCourse ? "; on course" : "; not on course" }
        return wrap(line.dropFirst(4).description, indent: 6, first: 4).enumerated()
            .map { $0.offset == 0 ? "    " + $0.element : $0.element }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var trimmed = self
        while trimmed.last == " " { trimmed.removeLast() }
        return trimmed
    }
}
