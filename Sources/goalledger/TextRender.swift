import GoalLedgerCore
import GoalLedgerStore

/// Human output: aligned text that fits an 80-column terminal.
enum TextRender {
    static let width = 80

    /// A scalar for people: strings bare, numbers as JSON prints them, the rest as JSON.
    static func value(_ v: JSON?) -> String {
        guard let v else { return "—" }
        switch v {
        case .string(let s): return s
        case .array(let a) where a.isEmpty: return "(none)"
        default: return JSONWriter.canonical(v)
        }
    }

    static func clip(_ s: String, _ n: Int) -> String {
        let flat = String(s.map { $0 == "\n" ? " " : $0 })
        return flat.count <= n ? flat : String(flat.prefix(max(1, n - 1))) + "…"
    }

    static func padRight(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
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
    static func target(_ t: JSON?) -> String? {
        guard let o = t?.objectValue else { return nil }
        var s = ""
        if let c = o["comparator"]?.stringValue { s += (c == ">=" ? "≥" : c == "<=" ? "≤" : "=") + " " }
        s += value(o["value"]) + " " + value(o["unit"])
        if let d = o["deadline"]?.stringValue { s += " by \(d)" }
        if let b = o["baseline"]?.objectValue { s += " (baseline \(value(b["value"])) in \(value(b["at"])))" }
        return s
    }

    static func latest(_ l: JSON?) -> String? {
        guard let o = l?.objectValue else { return nil }
        var s = value(o["value"])
        if let p = o["period"]?.stringValue { s += " for \(p)" }
        return s + " (\(value(o["effective"])))"
    }

    static func when(_ point: PointInTime) -> String {
        var parts: [String] = []
        if let a = point.asOf { parts.append("as of \(a.input)") }
        if let k = point.knownAt { parts.append("known at \(k.input)") }
        return parts.isEmpty ? "now" : parts.joined(separator: ", ")
    }

    static func show(_ v: EntityView) -> [String] {
        var out = ["\(v.id)  (\(v.kind.rawValue), \(when(v.point)))"]
        let s = v.state
        for name in v.kind.stateOrder {
            guard let f = s[name] else { continue }
            let label = "  " + padRight(name, 13)
            switch name {
            case "target": out.append(label + (target(f) ?? value(f)))
            case "latest": out.append(label + (latest(f) ?? value(f)))
            case "horizon":
                let o = f.objectValue
                out.append(label + "\(value(o?["from"])) – \(value(o?["to"]))")
            case "milestones", "links":
                let items = f.arrayValue ?? []
                if items.isEmpty { out.append(label + "(none)"); continue }
                out.append(label.trimmingTrailingSpaces())
                for item in items {
                    let o = item.objectValue
                    let line = name == "milestones"
                        ? "\(value(o?["date"]))  \(value(o?["title"]))" + (o?["kind"].map { " [\(value($0))]" } ?? "")
                        : "→ \(value(o?["to"]))" + (o?["relation"].map { " (\(value($0)))" } ?? "")
                    out += wrap(line, indent: 8, first: 6).enumerated()
                        .map { $0.offset == 0 ? "    • " + $0.element : $0.element }
                }
            default:
                out += wrap(value(f), indent: 15, first: 15).enumerated()
                    .map { $0.offset == 0 ? label + $0.element : $0.element }
            }
        }
        let e = v.folded.lastChange
        out.append("version \(v.folded.version) · last change #\(e.position) \(e.type.rawValue), "
                   + "effective \(e.effective.text)")
        let who = "  by \(e.actor), recorded \(e.recorded) by \(e.recordedBy)"
        out += who.count <= width ? [who] : ["  by \(e.actor)", "  recorded \(e.recorded) by \(e.recordedBy)"]
        if let r = e.reason {
            out += wrap("reason: " + r, indent: 10, first: 2).enumerated()
                .map { $0.offset == 0 ? "  " + $0.element : $0.element }
        }
        if let d = e.decision { out.append("  decision: " + clip(d, width - 12)) }
        if let sigs = e.sigs { out.append("  signed by " + clip(signerNames(sigs), width - 12)) }
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
    static func headline(_ v: EntityView) -> String {
        var title = v.state.title ?? ""
        if let tag = v.state["tag"]?.stringValue { title = "[\(tag)] " + title }
        guard let label = v.state["label"]?.stringValue else { return title }
        return label.hasSuffix(".") || label.hasSuffix(":") ? "\(label) \(title)" : "\(label): \(title)"
    }

    static func tree(_ t: TreeView) -> [String] {
        let p = t.plan
        let planID = p.id
        var status = p.state.status ?? ""
        if let by = p.state["supersededBy"]?.stringValue { status += " by \(by)" }
        if let on = p.state["adoptedOn"]?.stringValue { status += status == "adopted" ? " \(on)" : ", adopted \(on)" }
        var out = ["\(planID) (\(value(p.state["kind"])), \(status), \(when(p.point)))"]
        out += wrap(p.state.title ?? "", indent: 2, first: 2).enumerated()
            .map { $0.offset == 0 ? "  " + $0.element : $0.element }
        let goalsByTheme = Dictionary(grouping: t.goals, by: { $0.state["theme"]?.stringValue ?? "" })
        let initiativesByTheme = Dictionary(grouping: t.initiatives, by: { $0.state["theme"]?.stringValue ?? "" })
        let indicatorsByGoal = Dictionary(grouping: t.indicators, by: { $0.state["goal"]?.stringValue ?? "" })

        func line(_ depth: Int, _ tag: String, _ v: EntityView, extra: String? = nil) {
            let indent = String(repeating: "  ", count: depth)
            var status = v.state.status ?? ""
            status = status == "active" ? "" : " [\(status)]"
            // One entry: its id, then its headline on the same line, wrapped under it.
            let head = "\(indent)\(tag) \(short(v.id, under: planID))\(status)  "
            out += wrap(headline(v), indent: indent.count + 4, first: head.count).enumerated().map {
                $0.offset == 0 ? head + $0.element : $0.element
            }
            if let extra {
                out += wrap(extra, indent: indent.count + 6, first: indent.count + 4).enumerated().map {
                    $0.offset == 0 ? indent + "    " + $0.element : $0.element
                }
            }
        }
        func goal(_ g: EntityView, _ depth: Int) {
            line(depth, "goal", g, extra: target(g.state["target"]).map { "target " + $0 })
            for i in indicatorsByGoal[g.id] ?? [] {
                var extra: [String] = []
                if let tg = target(i.state["target"]) { extra.append("target " + tg) }
                if let l = latest(i.state["latest"]) { extra.append("latest " + l) }
                line(depth + 1, "indicator", i, extra: extra.isEmpty ? nil : extra.joined(separator: "; "))
            }
        }
        for th in t.themes {
            line(1, "theme", th)
            for g in goalsByTheme[th.id] ?? [] { goal(g, 2) }
            for i in initiativesByTheme[th.id] ?? [] { line(2, "initiative", i) }
        }
        let themeIDs = Set(t.themes.map(\.id))
        for g in t.goals where !themeIDs.contains(g.state["theme"]?.stringValue ?? "") { goal(g, 1) }
        for i in t.initiatives where !themeIDs.contains(i.state["theme"]?.stringValue ?? "") {
            line(1, "initiative", i)
        }
        return out
    }

    static func diff(_ d: DiffView) -> [String] {
        var out = ["\(d.id)  \(d.from) → \(d.to)"]
        if d.changes.isEmpty { out.append("  (no changes)") }
        for c in d.changes { out.append("  " + clip(changeLine(c), width - 2)) }
        if let entities = d.entities {
            out.append("entities:" + (entities.isEmpty ? " (no changes)" : ""))
            for e in entities {
                out.append("  \(padRight(e.change, 8)) \(e.id)")
                if e.change == "changed" {
                    for c in e.changes { out.append("      " + clip(changeLine(c), width - 6)) }
                }
            }
        }
        return out
    }

    static func changeLine(_ c: Change) -> String {
        // Lists (milestones, links) say what was added and removed, not two clipped JSON arrays.
        if c.before?.arrayValue != nil || c.after?.arrayValue != nil {
            let before = c.before?.arrayValue ?? [], after = c.after?.arrayValue ?? []
            let added = after.filter { !before.contains($0) }, removed = before.filter { !after.contains($0) }
            var parts: [String] = []
            if !added.isEmpty { parts.append("+\(added.count): " + added.map(item).joined(separator: "; ")) }
            if !removed.isEmpty { parts.append("−\(removed.count): " + removed.map(item).joined(separator: "; ")) }
            if !parts.isEmpty { return "\(c.field): " + parts.joined(separator: " ") }
        }
        return "\(c.field): \(c.before.map { clip(value($0), 30) } ?? "∅") → "
            + "\(c.after.map { clip(value($0), 30) } ?? "∅")"
    }

    /// One element of a list in a state: a link by its target, a milestone by its date and title.
    static func item(_ v: JSON) -> String {
        guard let o = v.objectValue else { return value(v) }
        if let to = o["to"]?.stringValue { return "→ " + to }
        if let date = o["date"]?.stringValue, let title = o["title"]?.stringValue { return "\(date) \(title)" }
        return value(v)
    }

    /// The names of an event's signing keys (SPEC §10), each once.
    static func signerNames(_ sigs: [EventSignature]) -> String {
        var names: [String] = []
        for name in sigs.map(\.name) where !names.contains(name) { names.append(name) }
        return names.joined(separator: ", ")
    }

    static func history(_ r: HistoryRow, withStream: Bool) -> [String] {
        let e = r.event
        var out: [String] = []
        var head = "#\(e.position)"
        if withStream { head += "  \(e.stream)" }
        head += "  v\(e.version)  \(e.type.rawValue)"
        if let by = r.retractedBy { head += "  (retracted by #\(by))" }
        out.append(head)
        out.append("    effective \(e.effective.text)  recorded \(e.recorded)")
        out.append("    actor \(e.actor)  recorded by \(e.recordedBy)")
        if let sigs = e.sigs { out.append("    signed by " + clip(signerNames(sigs), width - 14)) }
        if let reason = e.reason {
            out += wrap("reason: " + reason, indent: 12, first: 4).enumerated()
                .map { $0.offset == 0 ? "    " + $0.element : $0.element }
        }
        if let d = e.decision { out.append("    decision: " + clip(d, width - 14)) }
        for c in r.changes { out.append("    " + clip(changeLine(c), width - 4)) }
        if let direction = r.targetDirection, direction != .changed { out.append("    target \(direction.rawValue)") }
        return out
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
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
