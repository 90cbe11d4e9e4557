import GoalLedgerCore
import GoalLedgerStore

/// How a page is rendered: language, links, and the site's own settings.
public struct RenderSettings: Sendable {
    public var language: Language
    public var linker: Linker
    /// A link in every footer to the municipality's accessibility statement.
    public var accessibilityStatement: String?
    /// For a static site: the points in time it was written for, as (label, variant folder), and
    /// the ids that exist in each, so a page links to itself in the other copies where it can.
    public var staticTimes: [StaticTime]

    public struct StaticTime: Sendable {
        public var label: String
        public var variant: String
        public var ids: Set<String>
        public init(label: String, variant: String, ids: Set<String>) {
            self.label = label
            self.variant = variant
            self.ids = ids
        }
    }

    /// For a static site with a checkpoint: its size; events up to it link to their proof.
    public var proofs: Int64?
    /// The language the ledger's own texts (titles, reasons) are written in: Danish, for the
    /// Danish municipalities GoalLedger serves; an English page marks them so.
    public var contentLanguage: Language = .da

    public init(language: Language, linker: Linker, accessibilityStatement: String? = nil,
                staticTimes: [StaticTime] = [], proofs: Int64? = nil) {
        self.language = language
        self.linker = linker
        self.accessibilityStatement = accessibilityStatement
        self.staticTimes = staticTimes
        self.proofs = proofs
    }

    var text: Catalogue { Catalogue(language: language) }
}

/// The pages: pure functions from a model to a whole HTML document, shared by `serve` and `site`.
public enum Pages {
    public static func render(_ model: PageModel, _ settings: RenderSettings) -> String {
        switch model {
        case .index(let index): return self.index(index, settings)
        case .entity(let entity): return self.entity(entity, settings)
        case .audit(let audit): return self.audit(audit, settings)
        case .verify(let verify): return self.verify(verify, settings)
        }
    }

    // MARK: Layout

    static func layout(title: String, frame: PageFrame?, here: Destination, _ settings: RenderSettings,
                       timeControl: Bool = true, body: HTML) -> String {
        let text = settings.text
        let link = settings.linker
        var nav = [
            Tag.li(Tag.a(link.href(.home), Tag.text(text(.navHome)))),
            Tag.li(Tag.a(link.href(.audit(AuditQuery())), Tag.text(text(.navAudit)))),
            Tag.li(Tag.a(link.href(.verify), Tag.text(text(.navVerify)))),
        ]
        if case let .server(point, _) = link.mode {
            let other: Language = settings.language == .da ? .en : .da
            let switched = Linker(.server(point: point, explicitLanguage: other))
            nav.append(Tag.li(HTML.element("a", [("href", switched.href(here)), ("lang", other.rawValue),
                                                 ("hreflang", other.rawValue)],
                                           Tag.text(text(.navOtherLanguage)))))
        }
        var header = HTML.element("a", [("class", "skip"), ("href", "#main")], Tag.text(text(.skipToContent)))
        header += HTML.element("nav", [("aria-label", text(.siteName))],
                               HTML.element("p", [("class", "brand")], Tag.text(text(.siteName))),
                               Tag.ul(nav, class: "nav"))
        if timeControl, let frame { header += timeForm(frame.point, here: here, settings) }
        var footer = HTML.empty
        if let head = frame?.head {
            footer += Tag.p(Tag.text(text(.headLabel) + ": "),
                            HTML.element("code", [("class", "digest")], Tag.text("\(head.position) \(head.hash)")))
        } else if frame != nil {
            footer += Tag.p(Tag.text(text(.headEmpty)))
        }
        footer += Tag.p(Tag.text(text(.footerAbout)))
        if let statement = settings.accessibilityStatement {
            footer += Tag.p(Tag.a(statement, Tag.text(text(.accessibilityStatement))))
        }
        let document = "<!DOCTYPE html>\n" + HTML.element(
            "html", [("lang", settings.language.rawValue)],
            HTML.element("head", [],
                         HTML.void("meta", [("charset", "utf-8")]),
                         HTML.void("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
                         HTML.element("title", [], Tag.text(title + " – " + text(.siteName))),
                         HTML.element("style", [], HTML(trusted: Style.css))),
            HTML.element("body", [],
                         HTML.element("header", [], header),
                         HTML.element("main", [("id", "main"), ("tabindex", "-1")], body),
                         HTML.element("footer", [], footer))).markup
        return document + "\n"
    }

    /// The time control: a form on the server (GET, so the view is a bookmarkable URL);
    /// on a static site, links to the points in time the copy was written for.
    static func timeForm(_ point: PointInTime, here: Destination, _ settings: RenderSettings) -> HTML {
        let text = settings.text
        switch settings.linker.mode {
        case .server(_, let explicitLanguage):
            let action = settings.linker.href(here).split(separator: "?").first.map(String.init) ?? "/"
            var fields = HTML.element("legend", [], Tag.text(text(.timeLegend)))
            fields += timeField("as-of", text(.asOfLabel), point.asOf?.input, help: text(.asOfHelp))
            fields += timeField("known-at", text(.knownAtLabel), point.knownAt?.input, help: text(.knownAtHelp))
            if let explicitLanguage {
                fields += HTML.void("input", [("type", "hidden"), ("name", "lang"),
                                              ("value", explicitLanguage.rawValue)])
            }
            if case .audit(let query) = here {
                var kept = query
                kept.page = 1
                for (name, value) in kept.parameters {
                    fields += HTML.void("input", [("type", "hidden"), ("name", name), ("value", value)])
                }
            }
            fields += HTML.element("button", [("type", "submit")], Tag.text(text(.show)))
            return HTML.element("form", [("class", "time"), ("method", "get"), ("action", action)],
                                HTML.element("fieldset", [], fields))
        case .staticSite:
            guard !settings.staticTimes.isEmpty else { return .empty }
            var items: [HTML] = []
            for time in settings.staticTimes {
                var target = here
                if case .entity(let id) = here, !time.ids.contains(id) { target = .home }
                let linker = Linker(.staticSite(depth: staticDepth(settings), variant: time.variant))
                items.append(Tag.li(Tag.a(linker.href(target), Tag.text(time.label))))
            }
            return HTML.element("nav", [("class", "time"), ("aria-label", text(.timeLegend))],
                                Tag.p(Tag.text(text(.staticTimes))), Tag.ul(items))
        }
    }

    /// How many folders the current page is below the site's root.
    static func staticDepth(_ settings: RenderSettings) -> Int {
        guard case let .staticSite(depth, _, _) = settings.linker.mode else { return 0 }
        return depth
    }

    static func timeField(_ name: String, _ label: String, _ value: String?, help: String) -> HTML {
        HTML.element("div", [("class", "field")],
                     HTML.element("label", [("for", name)], Tag.text(label)),
                     HTML.void("input", [("type", "text"), ("id", name), ("name", name), ("value", value ?? ""),
                                         ("inputmode", "numeric"), ("autocomplete", "off"),
                                         ("aria-describedby", name + "-help")]),
                     HTML.element("span", [("class", "help"), ("id", name + "-help")], Tag.text(help)))
    }

    static func when(_ point: PointInTime, _ text: Catalogue) -> String {
        var parts: [String] = []
        if let asOf = point.asOf { parts.append(text(.asOfLabel) + ": " + text.timeInput(asOf.input)) }
        if let knownAt = point.knownAt { parts.append(text(.knownAtLabel) + ": " + text.timeInput(knownAt.input)) }
        return parts.isEmpty ? text(.timeNow) : parts.joined(separator: " · ")
    }

    // MARK: Front page

    static func index(_ model: IndexModel, _ settings: RenderSettings) -> String {
        let text = settings.text
        let plans = model.plans.sorted { DanishOrder.less($0.state.title ?? $0.id, $1.state.title ?? $1.id) }
        var body = Tag.h1(Tag.text(text(.plansHeading)))
        body += Tag.p(Tag.text(when(model.frame.point, text)), class: "when")
        if plans.isEmpty {
            body += Tag.p(Tag.text(text(.noPlans)))
        } else {
            let rows: [[HTML]] = plans.map { plan in
                [
                    entityLink(plan.id, ledgerText(plan.state.title ?? plan.id, settings), settings),
                    Tag.text(text.planKind(plan.state["kind"]?.stringValue ?? "")),
                    statusBadge(plan.state.status, text),
                    Tag.text(horizon(plan.state["horizon"], text)),
                    Tag.text(plan.state["organization"]?.stringValue ?? ""),
                ]
            }
            body += Tag.table(caption: text(.plansCaption),
                              headers: [text(.title), text(.kind), text(.status), text(.horizon), text(.actor)],
                              rows: rows, rowHeaders: true)
        }
        return layout(title: text(.plansHeading), frame: model.frame, here: .home, settings, body: body)
    }

    static func horizon(_ value: JSON?, _ text: Catalogue) -> String {
        guard let object = value?.objectValue else { return "" }
        let from = object["from"].map { text.plain($0) } ?? "…"
        let to = object["to"].map { text.plain($0) } ?? "…"
        return "\(from)–\(to)"
    }

    static func statusBadge(_ status: String?, _ text: Catalogue) -> HTML {
        guard let status else { return .empty }
        // The status is always a word; the border style varies with it, never the colour alone.
        return Tag.span(Tag.text(text.status(status)), class: "status status-\(status)")
    }

    // MARK: Entity page

    static func entity(_ model: EntityModel, _ settings: RenderSettings) -> String {
        let text = settings.text
        let view = model.view
        var body = HTML.empty
        var context: [HTML] = []
        if view.kind != .plan, let plan = view.state["plan"]?.stringValue {
            context.append(Tag.text(text(.partOf) + ": ") + entityLink(plan, Tag.text(plan), settings))
        }
        if view.kind == .indicator, let goal = view.state["goal"]?.stringValue {
            context.append(Tag.text(text(.goalOf) + ": ") + entityLink(goal, Tag.text(goal), settings))
        }
        if !context.isEmpty { body += Tag.p(HTML.joined(context, separator: Tag.text(" · ")), class: "context") }
        body += HTML.element("h1", [],
                             HTML.element("span", [("class", "kind")], Tag.text(text.kind(view.kind) + " ")),
                             ledgerText(headline(view), settings))
        var facts: [HTML] = [Tag.code(view.id), Tag.text(when(view.point, text))]
        if let status = view.state.status { facts.append(Tag.text(text(.status) + ": ") + statusBadge(status, text)) }
        if model.laterChanges > 0 {
            facts.append(Tag.a(nowHref(view.id, settings), Tag.text("\(text(.revisedLater)) (\(model.laterChanges))"),
                               class: "badge later"))
        }
        body += Tag.p(HTML.joined(facts, separator: Tag.text(" · ")), class: "facts")
        body += stateSection(view, settings)
        if let now = model.now { body += thenNow(view, now, settings) }
        if let tree = model.tree { body += treeSection(tree, model.bullets, settings) }
        if !model.indicators.isEmpty {
            body += Tag.section(Tag.h2(Tag.text(text(.indicators)), id: "indicators")
                                    + Tag.ul(model.indicators.map { indicatorItem($0, settings) }),
                                labelledBy: "indicators")
        }
        if view.kind == .goal || view.kind == .indicator {
            body += Tag.section(Tag.h2(Tag.text(text(.chartHeading)), id: "chart")
                                    + (model.chart.map { Chart.targetHistory($0, view: view, settings) }
                                        ?? Tag.p(Tag.text(text(.chartNoTarget)))),
                                labelledBy: "chart")
        }
        body += historySection(model.history, view: view, settings)
        return layout(title: headline(view), frame: model.frame, here: .entity(view.id), settings, body: body)
    }

    /// The same entity with no time limits, keeping the language.
    static func nowHref(_ id: String, _ settings: RenderSettings) -> String {
        guard case let .server(_, language) = settings.linker.mode else {
            return settings.linker.entityHref(id) ?? settings.linker.href(.home)
        }
        return Linker(.server(point: .now, explicitLanguage: language)).href(.entity(id))
    }

    /// Text from the ledger: in its own language (`RenderSettings.contentLanguage`, Danish),
    /// marked as such on a page in another language (WCAG 3.1.2, language of parts).
    static func ledgerText(_ text: String, _ settings: RenderSettings) -> HTML {
        guard settings.language != settings.contentLanguage, !text.isEmpty else { return Tag.text(text) }
        return HTML.element("span", [("lang", settings.contentLanguage.rawValue)], Tag.text(text))
    }

    /// A link to an entity's page, or just its name where no page exists (static sites).
    static func entityLink(_ id: String, _ content: HTML, _ settings: RenderSettings) -> HTML {
        guard let href = settings.linker.entityHref(id) else { return content }
        return Tag.a(href, content)
    }

    /// `Mål 3: 30 pct. …`: label and title as the plan writes them.
    static func headline(_ view: EntityView) -> String {
        var title = view.state.title ?? view.id
        if let tag = view.state["tag"]?.stringValue { title = "[\(tag)] " + title }
        guard let label = view.state["label"]?.stringValue else { return title }
        return label.hasSuffix(".") || label.hasSuffix(":") ? "\(label) \(title)" : "\(label): \(title)"
    }

    static let referenceMembers: Set<String> = ["plan", "theme", "goal", "organization", "adoptedBy",
                                                "supersededBy", "supersedes", "memberOf", "by"]

    static func stateSection(_ view: EntityView, _ settings: RenderSettings) -> HTML {
        let text = settings.text
        var rows: [[HTML]] = []
        for name in view.kind.stateOrder {
            guard let value = view.state[name] else { continue }
            rows.append([Tag.text(text.member(name) + " ")
                            + HTML.element("code", [("class", "member")], Tag.text(name)),
                         stateValue(name, value, settings)])
        }
        return Tag.section(Tag.h2(Tag.text(text(.state)), id: "state")
                               + Tag.table(caption: text(.state) + ": " + view.id,
                                           headers: [text(.field), text(.value)], rows: rows, rowHeaders: true,
                                           class: "state"),
                           labelledBy: "state")
    }

    static func stateValue(_ name: String, _ value: JSON, _ settings: RenderSettings) -> HTML {
        let text = settings.text
        switch name {
        case "target": return Tag.text(text.target(value) ?? text.plain(value))
        case "latest": return Tag.text(latest(value.objectValue, unit: nil, text))
        case "status": return statusBadge(value.stringValue, text)
        case "horizon": return Tag.text(horizon(value, text))
        case "adoptedOn": return Tag.text(text.date(value.stringValue ?? ""))
        case "kind": return Tag.text(text.planKind(value.stringValue ?? ""))
        case "links":
            let items = (value.arrayValue ?? []).map { item -> HTML in
                let object = item.objectValue
                let to = object?["to"]?.stringValue ?? ""
                let target = to.contains(":") ? Tag.code(to) : entityLink(to, Tag.text(to), settings)
                return Tag.li(target + (object?["relation"].map { Tag.text(" (\(text.plain($0)))") } ?? .empty))
            }
            return items.isEmpty ? Tag.text(text(.none)) : Tag.ul(items)
        case "milestones":
            let items = (value.arrayValue ?? []).map { item -> HTML in
                let object = item.objectValue
                return Tag.li(Tag.text(text.date(object?["date"]?.stringValue ?? "") + ": "
                                           + text.plain(object?["title"])
                                           + (object?["kind"].map { " [\(text.plain($0))]" } ?? "")))
            }
            return items.isEmpty ? Tag.text(text(.none)) : Tag.ul(items)
        default:
            if referenceMembers.contains(name), let id = value.stringValue {
                return entityLink(id, Tag.text(id), settings)
            }
            return value.stringValue == nil ? Tag.text(text.plain(value)) : ledgerText(text.plain(value), settings)
        }
    }

    static func latest(_ latest: JSONObject?, unit: String?, _ text: Catalogue) -> String {
        guard let latest, let value = latest["value"]?.numberValue else { return "—" }
        var out = text.quantity(value, unit: unit)
        if let period = latest["period"]?.stringValue { out += " (\(period))" }
        if let effective = latest["effective"]?.stringValue { out += ", " + text.date(effective) }
        return out
    }

    static func thenNow(_ then: EntityView, _ now: EntityView, _ settings: RenderSettings) -> HTML {
        let text = settings.text
        let changes = Change.between(then.state, now.state)
        var content = Tag.h2(Tag.text(text(.thenNow)), id: "then-now")
        if changes.isEmpty {
            content += Tag.p(Tag.text(text(.unchangedSince)))
        } else {
            let rows = changes.map { change in
                [Tag.code(change.field), Tag.text(change.before.map { text.plain($0) } ?? "—"),
                 Tag.text(change.after.map { text.plain($0) } ?? "—")]
            }
            content += Tag.table(caption: text(.thenNow) + ": " + when(then.point, text),
                                 headers: [text(.field), text(.then), text(.nowColumn)], rows: rows, rowHeaders: true)
        }
        return Tag.section(content, labelledBy: "then-now")
    }

    static func treeSection(_ tree: TreeView, _ bullets: [String: GoalBullet], _ settings: RenderSettings) -> HTML {
        let text = settings.text
        let indicatorsByGoal = Dictionary(grouping: tree.indicators) { $0.state["goal"]?.stringValue ?? "" }
        func goalItem(_ goal: EntityView) -> HTML {
            var item = entityLink(goal.id, ledgerText(headline(goal), settings), settings)
            if let status = goal.state.status, status != "active" { item += Tag.text(" ") + statusBadge(status, text) }
            if let bullet = bullets[goal.id] { item += goalBullet(bullet, settings) }
            item += linksLine(goal, settings)
            let indicators = indicatorsByGoal[goal.id] ?? []
            if !indicators.isEmpty { item += Tag.ul(indicators.map { indicatorItem($0, settings) }) }
            return Tag.li(item)
        }
        var content = Tag.h2(Tag.text(text(.tree)), id: "tree")
        var placed = Set<String>()
        if !tree.themes.isEmpty {
            var themeItems: [HTML] = []
            for theme in tree.themes {
                let goals = tree.goals.filter { $0.state["theme"]?.stringValue == theme.id }
                let initiatives = tree.initiatives.filter { $0.state["theme"]?.stringValue == theme.id }
                goals.forEach { placed.insert($0.id) }
                initiatives.forEach { placed.insert($0.id) }
                var item = entityLink(theme.id, ledgerText(headline(theme), settings), settings)
                    + linksLine(theme, settings)
                if !goals.isEmpty { item += Tag.ul(goals.map(goalItem), class: "goals") }
                if !initiatives.isEmpty { item += Tag.ul(initiatives.map { initiativeItem($0, settings) }) }
                themeItems.append(Tag.li(item))
            }
            content += Tag.h3(Tag.text(text(.themes))) + Tag.ul(themeItems, class: "tree")
        }
        let looseGoals = tree.goals.filter { !placed.contains($0.id) }
        if !looseGoals.isEmpty {
            content += Tag.h3(Tag.text(text(.goals))) + Tag.ul(looseGoals.map(goalItem), class: "tree")
        }
        let looseInitiatives = tree.initiatives.filter { !placed.contains($0.id) }
        if !looseInitiatives.isEmpty {
            content += Tag.h3(Tag.text(text(.initiatives)))
                + Tag.ul(looseInitiatives.map { initiativeItem($0, settings) }, class: "tree")
        }
        return Tag.section(content, labelledBy: "tree")
    }

    /// `Henvisninger: sdg:11, ballerup/vision-2029/groen-by`: an entity's links in a tree, when it has any.
    static func linksLine(_ entity: EntityView, _ settings: RenderSettings) -> HTML {
        let targets = (entity.state["links"]?.arrayValue ?? []).compactMap { $0.objectValue?["to"]?.stringValue }
        guard !targets.isEmpty else { return .empty }
        let items = targets.map { to in to.contains(":") ? Tag.code(to) : entityLink(to, Tag.text(to), settings) }
        return HTML.element("p", [("class", "bullet")],
                            Tag.text(settings.text(.links) + ": ") + HTML.joined(items, separator: Tag.text(", ")))
    }

    static func goalBullet(_ bullet: GoalBullet, _ settings: RenderSettings) -> HTML {
        let text = settings.text
        var parts: [HTML] = []
        if let current = bullet.current {
            parts.append(Tag.text(text(.target) + ": " + (text.target(.object(current)) ?? "—")))
        }
        if let latest = bullet.latest {
            parts.append(Tag.text(text(.latest) + ": " + self.latest(latest, unit: bullet.latestUnit, text)))
        }
        if let original = bullet.original {
            parts.append(Tag.text(text(.originalTarget) + ": " + (text.target(.object(original)) ?? "—")))
        }
        if bullet.laterChanges > 0 {
            parts.append(Tag.span(Tag.text("\(text(.revisedLater)) (\(bullet.laterChanges))"), class: "badge later"))
        }
        guard !parts.isEmpty else { return .empty }
        return HTML.element("p", [("class", "bullet")], HTML.joined(parts, separator: Tag.text(" · ")))
    }

    static func indicatorItem(_ indicator: EntityView, _ settings: RenderSettings) -> HTML {
        let text = settings.text
        var item = entityLink(indicator.id, ledgerText(indicator.state.title ?? indicator.id, settings), settings)
        let unit = indicator.state["unit"]?.stringValue
        if let latestValue = indicator.state["latest"]?.objectValue {
            item += Tag.text(" · " + text(.latest) + ": " + latest(latestValue, unit: unit, text))
        }
        if let target = text.target(indicator.state["target"]) {
            item += Tag.text(" · " + text(.target) + ": " + target)
        }
        return Tag.li(item)
    }

    static func initiativeItem(_ initiative: EntityView, _ settings: RenderSettings) -> HTML {
        Tag.li(entityLink(initiative.id, ledgerText(headline(initiative), settings), settings)
                   + linksLine(initiative, settings))
    }

    // MARK: History rows (entity pages and /audit)

    static func historySection(_ rows: [HistoryRow], view: EntityView, _ settings: RenderSettings) -> HTML {
        let text = settings.text
        var content = Tag.h2(Tag.text(text(.historyHeading)), id: "history")
        content += historyTable(rows, caption: text(.historyCaption), withStream: false,
                                threshold: AuditQuery.defaultBackdatedDays, contexts: [:], settings)
        content += Tag.p(Tag.a(settings.linker.href(.historyCSV(view.id)), Tag.text(text(.downloadCSV))),
                         class: "downloads")
        return Tag.section(content, labelledBy: "history")
    }

    static func historyTable(_ rows: [HistoryRow], caption: String, withStream: Bool, threshold: Int,
                             contexts: [Int64: RevisionContext]?, _ settings: RenderSettings) -> HTML {
        let text = settings.text
        var headers = [text(.effective), text(.recorded), text(.type)]
        if withStream { headers.append(text(.stream)) }
        headers += [text(.actor), text(.recordedBy), text(.decision), text(.reason), text(.changes)]
        let showContext = contexts.map { !$0.isEmpty } ?? false
        if showContext { headers += [text(.latestKnown), text(.onCourse)] }
        var classes: [String?] = []
        let body: [[HTML]] = rows.map { row in
            let event = row.event
            let backdated = event.backdatedSeconds > Int64(threshold) * 86_400
            classes.append(backdated ? "backdated" : nil)
            var recorded = Tag.text(text.date(event.recorded))
            if backdated {
                let days = event.backdatedSeconds / 86_400
                recorded += HTML.element("span", [("class", "badge backdated")],
                                         Tag.text("\(text(.backdated)) "
                                                      + "(\(text.number(Double(days))) \(text(.lagDays)))"))
            }
            var type = Tag.text(text.eventType(event.type))
            if let direction = row.targetDirection { type += Tag.text(" ") + directionBadge(direction, text) }
            if row.retractedBy != nil { type += Tag.span(Tag.text(text(.retracted)), class: "badge retracted") }
            var cells: [HTML] = [Tag.text(text.date(event.effective.text)), recorded, type]
            if withStream { cells.append(entityLink(event.stream, Tag.text(event.stream), settings)) }
            var recordedBy = Tag.text(event.recordedBy)
            if let sigs = event.sigs, !sigs.isEmpty {
                recordedBy += HTML.element("span", [("class", "badge signed")],
                                           Tag.text("✎ " + text(.signedBy) + " "
                                                        + sigs.map(\.name).joined(separator: ", ")))
            }
            if let size = settings.proofs, event.position <= size,
               let href = settings.linker.proofHref(event.position) {
                recordedBy += HTML.element("span", [("class", "proof")],
                                           Tag.a(href, Tag.text(text(.proof) + " #\(event.position)")))
            }
            cells += [
                entityLink(event.actor, Tag.text(event.actor), settings),
                recordedBy,
                ledgerText(event.decision ?? "", settings),
                ledgerText(event.reason ?? "", settings),
                changesList(row.changes, text),
            ]
            if showContext {
                let context = contexts?[event.position]
                cells.append(Tag.text(context.map { latest($0.latest, unit: event.data["unit"]?.stringValue, text) }
                                          ?? text(.unknownCourse)))
                cells.append(Tag.text(context?.onCourse.map { $0 ? text(.onCourse) : text(.offCourse) }
                                          ?? text(.unknownCourse)))
            }
            return cells
        }
        return Tag.table(caption: caption, headers: headers, rows: body, rowClasses: classes, class: "history")
    }

    static func directionBadge(_ direction: TargetDirection, _ text: Catalogue) -> HTML {
        switch direction {
        case .tightened: return Tag.span(Tag.text("▲ " + text(.tightened)), class: "badge tightened")
        case .loosened: return Tag.span(Tag.text("▼ " + text(.loosened)), class: "badge loosened")
        case .changed: return Tag.span(Tag.text("◆ " + text(.changed)), class: "badge changed")
        }
    }

    static func changesList(_ changes: [Change], _ text: Catalogue) -> HTML {
        guard !changes.isEmpty else { return .empty }
        return Tag.ul(changes.map { change in
            Tag.li(Tag.code(change.field) + Tag.text(": " + (change.before.map { text.plain($0) } ?? "—") + " → "
                                                       + (change.after.map { text.plain($0) } ?? "—")))
        }, class: "changes")
    }

    // MARK: Audit

    static func audit(_ model: AuditModel, _ settings: RenderSettings) -> String {
        let text = settings.text
        let query = model.query
        var body = Tag.h1(Tag.text(query.loosened ? text(.loosenedHeading) : text(.auditHeading)))
        body += Tag.p(Tag.text(when(model.frame.point, text) + " · \(text.number(Double(model.total))) "
                                   + text(.rows)),
                      class: "when")
        if !settings.linker.isStatic { body += auditForm(query, model.frame.point, settings) }
        let threshold = query.backdated ?? AuditQuery.defaultBackdatedDays
        if !model.lag.isEmpty {
            body += Tag.section(Tag.h2(Tag.text(text(.lagHeading)), id: "lag")
                                    + Chart.lagPlot(model.lag, threshold: threshold, settings),
                                labelledBy: "lag")
        }
        let caption = (query.loosened ? text(.loosenedHeading) : text(.auditCaption))
            + " – " + text(.pageOf).replacingPlaceholders(String(query.page), String(model.pageCount))
        if model.rows.isEmpty {
            body += Tag.p(Tag.text(text(.noRows)))
        } else {
            body += historyTable(model.rows, caption: caption, withStream: true, threshold: threshold,
                                 contexts: query.loosened ? model.contexts : nil, settings)
        }
        var pager: [HTML] = []
        if query.page > 1 {
            var previous = query
            previous.page -= 1
            pager.append(Tag.li(HTML.element("a", [("href", settings.linker.href(.audit(previous))), ("rel", "prev")],
                                             Tag.text(text(.previousPage)))))
        }
        if query.page < model.pageCount {
            var next = query
            next.page += 1
            pager.append(Tag.li(HTML.element("a", [("href", settings.linker.href(.audit(next))), ("rel", "next")],
                                             Tag.text(text(.nextPage)))))
        }
        if !pager.isEmpty {
            body += HTML.element("nav", [("class", "pager"), ("aria-label", text(.pageOf)
                                    .replacingPlaceholders(String(query.page), String(model.pageCount)))],
                                 Tag.ul(pager))
        }
        body += Tag.p(Tag.a(settings.linker.href(.auditCSV(query)), Tag.text(text(.downloadCSV))), class: "downloads")
        return layout(title: query.loosened ? text(.loosenedHeading) : text(.auditHeading), frame: model.frame,
                      here: .audit(query), settings, timeControl: settings.linker.isStatic, body: body)
    }

    /// The audit filters and the time, in one GET form.
    static func auditForm(_ query: AuditQuery, _ point: PointInTime, _ settings: RenderSettings) -> HTML {
        let text = settings.text
        var typeOptions = HTML.element("option", [("value", "")], Tag.text("—"))
        for type in EventType.allCases {
            typeOptions += HTML.element("option", [("value", type.rawValue),
                                                   ("selected", query.types.contains(type) ? "selected" : nil)],
                                        Tag.text(text.eventType(type)))
        }
        var fields = HTML.element("legend", [], Tag.text(text(.auditFilters)))
        fields += HTML.element("div", [("class", "field")],
                               HTML.element("label", [("for", "type")], Tag.text(text(.auditTypeLabel))),
                               HTML.element("select", [("id", "type"), ("name", "type")], typeOptions))
        fields += textField("actor", text(.auditActorLabel), query.actors.first)
        fields += textField("field", text(.auditFieldLabel), query.field)
        fields += textField("stream", text(.auditStreamLabel), query.stream)
        fields += textField("backdated", text(.auditBackdatedLabel), query.backdated.map(String.init), numeric: true)
        fields += timeField("known-at", text(.knownAtLabel), point.knownAt?.input, help: text(.knownAtHelp))
        fields += HTML.element("div", [("class", "field check")],
                               HTML.void("input", [("type", "checkbox"), ("id", "loosened"), ("name", "loosened"),
                                                   ("value", "1"), ("checked", query.loosened ? "checked" : nil)]),
                               HTML.element("label", [("for", "loosened")], Tag.text(text(.auditLoosenedLabel))))
        fields += HTML.element("div", [("class", "field")],
                               HTML.element("label", [("for", "order")], Tag.text(text(.auditOrderLabel))),
                               HTML.element("select", [("id", "order"), ("name", "order")],
                                            HTML.element("option", [("value", "newest"),
                                                                    ("selected", query.newestFirst ? "selected" : nil)],
                                                         Tag.text(text(.newestFirst))),
                                            HTML.element("option", [("value", "oldest"),
                                                                    ("selected", query.newestFirst ? nil : "selected")],
                                                         Tag.text(text(.oldestFirst)))))
        if case .server(_, let language?) = settings.linker.mode {
            fields += HTML.void("input", [("type", "hidden"), ("name", "lang"), ("value", language.rawValue)])
        }
        fields += HTML.element("button", [("type", "submit")], Tag.text(text(.apply)))
        return HTML.element("form", [("class", "filters"), ("method", "get"), ("action", "/audit")],
                            HTML.element("fieldset", [], fields))
    }

    static func textField(_ name: String, _ label: String, _ value: String?, numeric: Bool = false) -> HTML {
        HTML.element("div", [("class", "field")],
                     HTML.element("label", [("for", name)], Tag.text(label)),
                     HTML.void("input", [("type", "text"), ("id", name), ("name", name), ("value", value ?? ""),
                                         ("inputmode", numeric ? "numeric" : nil), ("autocomplete", "off")]))
    }

    // MARK: Verify

    static func verify(_ model: VerifyModel, _ settings: RenderSettings) -> String {
        let text = settings.text
        var body = Tag.h1(Tag.text(text(.verifyHeading)))
        if let failure = model.failure {
            body += HTML.element("p", [("class", "verdict failed")], Tag.text("✗ " + text(.verifyFailed)))
            body += Tag.p(Tag.code(failure))
        } else {
            body += HTML.element("p", [("class", "verdict ok")], Tag.text("✓ " + text(.verifyOK)))
            body += Tag.p(Tag.text(text(.verifyExplain)))
            if let report = model.report {
                var rows: [[HTML]] = [
                    [Tag.text(text(.verifyEvents)), Tag.text(text.number(Double(report.events)))],
                    [Tag.text(text(.verifyStreams)), Tag.text(text.number(Double(report.streams)))],
                ]
                if let head = report.head {
                    rows.append([Tag.text(text(.verifyHead)),
                                 HTML.element("code", [("class", "digest")],
                                              Tag.text("\(head.position) \(head.hash)"))])
                }
                body += Tag.table(caption: text(.verifyHeading), headers: [text(.field), text(.value)], rows: rows,
                                  rowHeaders: true)
            }
        }
        return layout(title: text(.verifyHeading), frame: model.frame, here: .verify, settings, timeControl: false,
                      body: body)
    }

    // MARK: Errors

    /// A 404, 400 or 405 page: what went wrong in one sentence, and a way back.
    public static func error(status: Int, message: String, _ settings: RenderSettings) -> String {
        let text = settings.text
        let title: String
        switch status {
        case 404: title = text(.notFoundTitle)
        case 400: title = text(.badRequestTitle)
        case 405: title = text(.methodTitle)
        default: title = text(.errorTitle)
        }
        // The store words its messages in English: marked so, on a Danish page (WCAG 3.1.2).
        let body = Tag.h1(Tag.text(title))
            + HTML.element("p", [("lang", settings.language == .en ? nil : "en")], Tag.text(message))
            + Tag.p(Tag.a(settings.linker.href(.home), Tag.text(text(.backHome))))
        return layout(title: title, frame: nil, here: .home, settings, timeControl: false, body: body)
    }
}

extension String {
    /// `"Side %1 af %2"` with its placeholders filled.
    func replacingPlaceholders(_ values: String...) -> String {
        var out = self
        for (index, value) in values.enumerated() {
            out = out.split(separator: "%\(index + 1)", omittingEmptySubsequences: false).joined(separator: value)
        }
        return out
    }
}
