import Foundation
import Testing

/// Issue 4: every fact the seed documents state (../shared/seeds, README there)
/// is in the bundled ledgers, checked through `show`, `tree` and `history`.
@Suite struct SeedFactsTests {
    let cli = SeedLedger.cli

    /// Runs a read command with `--json` and expects success.
    func json(_ args: [String]) throws -> Any {
        let r = try cli.run(args + ["--json"])
        try #require(r.code == 0, "\(args): \(r.stderr)")
        return try cli.json(r)
    }

    func show(_ id: String, _ args: [String] = []) throws -> [String: Any] {
        try #require(try json(["show", id] + args) as? [String: Any])
    }

    func state(_ id: String, _ args: [String] = []) throws -> [String: Any] {
        try #require(try show(id, args)["state"] as? [String: Any])
    }

    func tree(_ plan: String, _ args: [String] = []) throws -> [String: [[String: Any]]] {
        let o = try #require(try json(["tree", plan] + args) as? [String: Any])
        var out: [String: [[String: Any]]] = [:]
        for k in ["themes", "goals", "indicators", "initiatives"] { out[k] = o[k] as? [[String: Any]] ?? [] }
        out["plan"] = [o["plan"] as? [String: Any] ?? [:]]
        return out
    }

    func states(_ views: [[String: Any]]?) -> [[String: Any]] { (views ?? []).map { $0["state"] as? [String: Any] ?? [:] } }
    func ids(_ views: [[String: Any]]?) -> [String] { (views ?? []).compactMap { $0["id"] as? String } }
    func milestoneDates(_ s: [String: Any]) -> [String] { (s["milestones"] as? [[String: Any]] ?? []).compactMap { $0["date"] as? String } }
    func links(_ s: [String: Any]) -> [String] { (s["links"] as? [[String: Any]] ?? []).compactMap { $0["to"] as? String } }

    func target(_ s: [String: Any]) -> (value: Double?, unit: String?, comparator: String?) {
        let t = s["target"] as? [String: Any]
        return (t?["value"] as? Double, t?["unit"] as? String, t?["comparator"] as? String)
    }

    // MARK: Ballerup, Vision 2029 and its 2016 process (seeds 000 and 003)

    @Test func ballerupActorsAreTheCouncilTheMayorAndTheDevelopmentConsultant() throws {
        let kb = try state("ballerup/kb")
        #expect(kb["name"] as? String == "Kommunalbestyrelsen")
        #expect(kb["kind"] as? String == "body")
        let mayor = try state("ballerup/borgmester")
        #expect(mayor["name"] as? String == "Jesper Würtzen")
        #expect(mayor["role"] as? String == "Borgmester")
        #expect(mayor["memberOf"] as? String == "ballerup/kb")
        let consultant = try state("ballerup/udviklingskonsulent")
        #expect(consultant["name"] as? String == "Mette-Louise Andersen Rohde")
        #expect(consultant["role"] as? String == "Udviklingskonsulent")
        #expect(consultant["kind"] as? String == "person")
    }

    @Test func vision2029HasItsMainThemeAndFourThemesWithTheirTexts() throws {
        let t = try tree("ballerup/vision-2029")
        let plan = try #require(states(t["plan"]).first)
        #expect(plan["kind"] as? String == "vision")
        #expect(plan["title"] as? String == "Vision 2029")
        #expect((plan["horizon"] as? [String: Any])?["to"] as? Int == 2029)
        #expect((plan["summary"] as? String)?.hasPrefix("Vision 2029 er kommunalbestyrelsens vision for, hvordan det skal være at leve, bo og arbejde i Ballerup i 2029.") == true)
        let themes = states(t["themes"])
        #expect(themes.map { $0["title"] as? String } == [
            "Ballerup – vi skaber fremtiden sammen", "Ballerup – åben for nye idéer", "Ballerup – en stærk uddannelsesby",
            "Ballerup – en grøn by i balance", "Ballerup – en førende erhvervsby",
        ])
        #expect(themes.map { $0["label"] as? String } == ["Hovedtema"] + Array(repeating: "Uddybende tema", count: 4))
        let descriptions = themes.map { $0["description"] as? String ?? "" }
        #expect(descriptions[0].contains("I Ballerup er borgere, virksomheder og kommunen fælles om fremtiden."))
        #expect(descriptions[1].contains("Ballerup er en af landets mest innovative kommuner."))
        #expect(descriptions[2].contains("Børnene er vores fremtid."))
        #expect(descriptions[3].contains("Vi er de nære naturoplevelsers by."))
        #expect(descriptions[4].contains("Ballerup er en førende erhvervsby."))
    }

    @Test func vision2029WasADraftWithItsProcessMilestonesInMid2016() throws {
        let v = try show("ballerup/vision-2029", ["--as-of", "2016-06"])
        let s = try #require(v["state"] as? [String: Any])
        #expect(s["status"] as? String == "draft")
        #expect(s["title"] as? String == "Politisk vision 2029")
        #expect(milestoneDates(s) == ["2016-02-01", "2016-02-01", "2016-03-02", "2016-03-03", "2016-04-14", "2016-05-03", "2016-05-24", "2016-06-22"])
        let kinds = (s["milestones"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds == ["seminar", "procesplan", "workshop", "dialogmøde", "dialogmøde", "dialogmøde", "dialogmøde", "workshop"])
        let drafted = try #require(try json(["history", "ballerup/vision-2029"]) as? [[String: Any]]).first
        #expect(drafted?["type"] as? String == "PlanDrafted")
        #expect(drafted?["actor"] as? String == "ballerup/udviklingskonsulent")
    }

    @Test func vision2029CommitteesThemeMeetingAdoptionInNovember2016AndLaunchEarly2017() throws {
        #expect(try state("ballerup/vision-2029", ["--as-of", "2016-11-27"])["status"] as? String == "draft")
        let adopted = try state("ballerup/vision-2029", ["--as-of", "2016-11"])
        #expect(adopted["status"] as? String == "adopted")
        #expect(adopted["adoptedBy"] as? String == "ballerup/kb")
        #expect(adopted["adoptedOn"] as? String == "2016-11-28")
        let all = try state("ballerup/vision-2029", ["--as-of", "2017"])
        #expect(Array(milestoneDates(all).suffix(6)) == ["2016-08-01", "2016-09-01", "2016-10-01", "2016-10-26", "2016-11-28", "2017-01-02"])
        let kinds = (all["milestones"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(Array(kinds.suffix(6)) == ["udvalgsmøde", "udvalgsmøde", "udvalgsmøde", "temamøde", "KMB-møde", "lancering"])
        let titles = (all["milestones"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
        #expect(titles.contains("KMB møde: godkendelse af politisk vision 2029"))
        #expect(titles.last?.hasPrefix("Lancering af den politiske vision") == true)
    }

    // MARK: Ballerup's business and growth policy (seed 004)

    @Test func businessPolicyIsLinkedToTheVisionThemeAndAuthoredByTheCouncilWithTheMayorsForeword() throws {
        let s = try state("ballerup/erhverv-2021")
        #expect(s["kind"] as? String == "policy")
        #expect(s["organization"] as? String == "ballerup/kb")
        #expect(s["adoptedBy"] as? String == "ballerup/kb")
        #expect(s["supersedes"] as? String == "ballerup/erhverv-2017")
        #expect(links(s) == ["ballerup/vision-2029/foerende-erhvervsby"])
        let summary = s["summary"] as? String ?? ""
        #expect(summary.hasPrefix("Ballerup Kommune er en af Danmarks førende erhvervskommuner"))
        #expect(summary.hasSuffix("Jesper Würtzen, borgmester"))
        let history = try #require(try json(["history", "ballerup/erhverv-2021"]) as? [[String: Any]])
        let foreword = try #require(history.first { $0["type"] as? String == "MilestoneRecorded" })
        #expect(foreword["actor"] as? String == "ballerup/borgmester")
        #expect((foreword["data"] as? [String: Any])?["title"] as? String == "Forord af Jesper Würtzen, borgmester")
    }

    @Test func businessPolicyHasFourMeasurableGoalsWithIndicatorsAndTargets() throws {
        let t = try tree("ballerup/erhverv-2021")
        let goals = states(t["goals"])
        #expect(goals.map { $0["label"] as? String } == ["Mål 1", "Mål 2", "Mål 3", "Mål 4"])
        #expect(goals.map { $0["title"] as? String } == [
            "3.000 nye private arbejdspladser",
            "Ballerup Kommune er blandt top 10 i Region Hovedstaden, med den laveste ledighed blandt jobparate borgere",
            "30 pct. af eleverne i folkeskolen vælger en erhvervsuddannelse",
            "Virksomheder i Ballerup bidrager mest til Danmarks BNP pr. indbygger",
        ])
        let expected: [(Double, String, String)] = [(3000, "arbejdspladser", ">="), (10, "placering", "<="), (30, "%", ">="), (1, "placering", "=")]
        for (g, x) in zip(goals, expected) {
            let tg = target(g)
            #expect(tg.value == x.0 && tg.unit == x.1 && tg.comparator == x.2, "\(g["label"] ?? "")")
        }
        let indicators = states(t["indicators"])
        #expect(indicators.map { $0["goal"] as? String } == ids(t["goals"]))
        for (i, x) in zip(indicators, expected) { #expect(target(i).value == x.0) }
    }

    @Test func businessPolicyHasItsStrengthsTracksNumberedTaggedInitiativesKildedalAndLautrup() throws {
        let t = try tree("ballerup/erhverv-2021")
        let themes = states(t["themes"])
        #expect(themes.map { $0["title"] as? String } == [
            "Forpligtende fællesskaber", "Vidensstærke virksomheder", "Erhvervsklynger", "Udviklingsmiljøer", "God infrastruktur",
            "De bedste rammevilkår for virksomhederne", "Arbejdskraft og arbejdsmarked", "Vækst i virksomhederne",
        ])
        #expect(themes.map { $0["label"] as? String ?? "" } == ["", "Styrkeposition", "Styrkeposition", "Styrkeposition", "Styrkeposition", "Spor 1", "Spor 2", "Spor 3"])
        let initiatives = states(t["initiatives"])
        let byTrack = Dictionary(grouping: initiatives, by: { $0["theme"] as? String ?? "" })
        func tags(_ track: String) -> [String] { (byTrack["ballerup/erhverv-2021/\(track)"] ?? []).compactMap { $0["tag"] as? String } }
        func labels(_ track: String) -> [String] { (byTrack["ballerup/erhverv-2021/\(track)"] ?? []).compactMap { $0["label"] as? String } }
        #expect(tags("spor-1") == ["Infrastruktur", "Sagsbehandling", "Fysisk udvikling"])
        #expect(tags("spor-2") == ["Uddannelse", "Rekrutteringer", "Nye kompetencer"])
        #expect(tags("spor-3") == ["Erhvervsservice", "Klynger og tiltrækning", "Bæredygtighed og innovation"])
        for track in ["spor-1", "spor-2", "spor-3"] { #expect(labels(track) == ["1.", "2.", "3."]) }
        let areas = (byTrack["ballerup/erhverv-2021/spor-1"] ?? []).filter { $0["tag"] == nil }
        #expect(areas.map { $0["title"] as? String } == ["Kildedal", "Lautrup"])
        #expect((areas.first?["description"] as? String)?.contains("Bygningerne i Kildedal skal guldcertificeres efter DGNB-standarden.") == true)
        #expect((areas.last?["description"] as? String)?.contains("Lautrup skal revitaliseres hen over de næste 10 år.") == true)
    }

    @Test func earlierPolicyIsSupersededAndItsVocationalTargetRaisedFrom25To30() throws {
        #expect(try state("ballerup/erhverv-2017", ["--as-of", "2018"])["status"] as? String == "adopted")
        let now = try state("ballerup/erhverv-2017")
        #expect(now["status"] as? String == "superseded")
        #expect(now["supersededBy"] as? String == "ballerup/erhverv-2021")
        #expect(target(try state("ballerup/erhverv-2017/mal-3")).value == 25)
        #expect(try state("ballerup/erhverv-2017/mal-3", ["--as-of", "2021-09"])["status"] as? String == "active")
        #expect(try state("ballerup/erhverv-2017/mal-3")["status"] as? String == "missed")
        #expect(links(try state("ballerup/erhverv-2021/mal-3")) == ["ballerup/erhverv-2017/mal-3"])
        let latest = try state("ballerup/erhverv-2017/mal-1/nye-private-arbejdspladser")["latest"] as? [String: Any]
        #expect(latest?["value"] as? Int == 3098)
    }

    // MARK: Vallensbæk (seed 001)

    @Test func vallensbaekStrategyWasAdoptedByTheWholeCouncilInSeptember2018AfterFiveSummerWorkshops() throws {
        let draft = try state("vallensbaek/udviklingsstrategi-2018", ["--as-of", "2018-08"])
        #expect(draft["status"] as? String == "draft")
        let workshops = (draft["milestones"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "workshop" }
        #expect(workshops.count == 5)
        #expect(workshops.allSatisfy { ($0["date"] as? String ?? "") >= "2018-06" && ($0["date"] as? String ?? "") <= "2018-08-31" })
        let s = try state("vallensbaek/udviklingsstrategi-2018", ["--as-of", "2018-09"])
        #expect(s["kind"] as? String == "strategy")
        #expect(s["status"] as? String == "adopted")
        #expect(s["adoptedBy"] as? String == "vallensbaek/kb")
        #expect((s["adoptedOn"] as? String)?.hasPrefix("2018-09") == true)
        let horizon = s["horizon"] as? [String: Any]
        #expect(horizon?["from"] as? Int == 2018 && horizon?["to"] as? Int == 2022)
        let adoption = try #require(try json(["history", "vallensbaek/udviklingsstrategi-2018"]) as? [[String: Any]]).first { $0["type"] as? String == "PlanAdopted" }
        #expect((adoption?["decision"] as? String)?.contains("en samlet kommunalbestyrelse") == true)
    }

    @Test func vallensbaekStrategyHasItsFocusAreas() throws {
        let themes = states(try tree("vallensbaek/udviklingsstrategi-2018")["themes"])
        #expect(themes.map { $0["title"] as? String } == [
            "Et sundt liv med høj livskvalitet og livsglæde", "En god start på livet for børnene", "En grøn by med smukke grønne byrum",
            "Gode rammer for at tiltrække erhvervslivet", "Foreningslivet og et stærkt fællesskab", "Fokus skal være på det nære",
        ])
        #expect(themes.allSatisfy { $0["label"] as? String == "Fokusområde" })
    }

    // MARK: Albertslund (seed 002)

    @Test func albertslundVisionHasThreeThemesAndLinksToSDG11And17And16() throws {
        let t = try tree("albertslund/vision-2022-2030")
        let plan = try #require(states(t["plan"]).first)
        #expect(plan["kind"] as? String == "vision")
        #expect(plan["title"] as? String == "Albertslund - Vision 2022-2030")
        let horizon = plan["horizon"] as? [String: Any]
        #expect(horizon?["from"] as? Int == 2022 && horizon?["to"] as? Int == 2030)
        #expect(Array(links(plan).prefix(3)) == ["sdg:11", "sdg:17", "sdg:16"])
        #expect(states(t["themes"]).map { $0["title"] as? String } == ["For børnene", "Det grønne", "Og fællesskaber"])
    }

    @Test func mereAlbertslundWasAdoptedOn12May2020() throws {
        #expect(try state("albertslund/mere-albertslund", ["--as-of", "2020-05-11"])["status"] as? String == "draft")
        let s = try state("albertslund/mere-albertslund", ["--as-of", "2020-05-12"])
        #expect(s["status"] as? String == "adopted")
        #expect(s["adoptedOn"] as? String == "2020-05-12")
        #expect(s["adoptedBy"] as? String == "albertslund/kb")
        #expect(s["title"] as? String == "Mere Albertslund – Verdensmål for en by i balance")
        #expect(links(try state("albertslund/vision-2022-2030")).contains("albertslund/mere-albertslund"))
    }

    @Test func faellesOmAlbertslundIsAPolicyOnCommunityAndCitizenship() throws {
        let s = try state("albertslund/faelles-om-albertslund")
        #expect(s["kind"] as? String == "policy")
        #expect(s["title"] as? String == "Fælles om Albertslund")
        #expect((s["summary"] as? String)?.hasPrefix("Fælles om Albertslund er en politik om fællesskab, medborgerskab og ligeværdig deltagelse.") == true)
    }

    // MARK: The ledgers as a whole

    @Test func seedLedgersVerifyAndReimportingThemAppendsNothing() throws {
        let fresh = try CLI()
        let first = try fresh.run(["import"] + SeedLedger.files)
        #expect(first.code == 0, "\(first.stderr)")
        let head = try fresh.run(["head"]).stdout
        let again = try fresh.run(["import"] + SeedLedger.files)
        #expect(again.code == 0)
        let notes = again.stderr.split(separator: "\n")
        #expect(notes.count == SeedLedger.files.count && notes.allSatisfy { $0.contains(": 0 appended, ") }, "\(again.stderr)")
        #expect(try fresh.run(["head"]).stdout == head)
        let verify = try fresh.run(["verify"])
        #expect(verify.code == 0, "\(verify.stderr)")
    }

    @Test func everySeedEventHasAStableIDAndAReasonWhereItsDateIsChosen() throws {
        for file in SeedLedger.files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            for (n, line) in text.split(separator: "\n").enumerated() {
                let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let id = o["id"] as? String ?? ""
                #expect(!id.isEmpty, "\(file):\(n + 1) has no id")
                #expect(!(o["reason"] as? String ?? "").isEmpty, "\(file):\(n + 1) has no reason")
            }
        }
    }
}

/// Issue 4: `goalledger demo`, the README's first command, imports events/ and
/// tours it; running it again appends nothing and tours the same ledger.
@Suite struct DemoTests {
    @Test func demoImportsTheSeedsToursThemAndIsIdempotent() throws {
        let cli = try CLI()
        let events = SeedLedger.root.appendingPathComponent("events").path
        let first = try cli.run(["demo", "--events", events])
        #expect(first.code == 0, "\(first.stderr)")
        for step in 1...6 { #expect(first.stdout.contains("\n── \(step). "), "step \(step) missing") }
        #expect(first.stdout.contains("$ goalledger show ballerup/vision-2029 --as-of 2016-06\nballerup/vision-2029  (plan, as of 2016-06)\n"))
        #expect(first.stdout.contains("  status       draft\n"))
        #expect(first.stdout.contains("  status: draft → adopted\n"))
        #expect(first.stdout.contains("  goal mal-3  Mål 3: 30 pct. af eleverne i folkeskolen vælger en\n"))
        #expect(first.stdout.contains("    status: active → missed\n"))
        #expect(first.stdout.contains("    target.value: ∅ → 30\n"))
        let head = try cli.run(["head"]).stdout
        #expect(first.stdout.contains("head " + head))
        // Fits an 80-column terminal, but for the lines that name this test's long temporary paths.
        let tour = first.stdout.split(separator: "\n").filter { !$0.hasPrefix("Importing") && !$0.contains(".ndjson: ") }
        #expect(tour.allSatisfy { $0.count <= 80 }, "\(tour.filter { $0.count > 80 })")
        let second = try cli.run(["demo", "--events", events])
        #expect(second.code == 0, "\(second.stderr)")
        #expect(second.stdout.split(separator: "\n").filter { $0.contains(".ndjson: ") }.allSatisfy { $0.contains(": 0 appended, ") })
        #expect(try cli.run(["head"]).stdout == head)
    }
}

extension SeedFactsTests {
    /// `show` reads the current-state projection; `show --as-of 9999` folds the
    /// events. Both must print the same document, member order included.
    @Test func showNowPrintsWhatAFoldOfEveryEventPrints() throws {
        let all = try #require(try json(["list"]) as? [[String: Any]])
        #expect(all.count > 60)
        for id in all.compactMap({ $0["id"] as? String }) {
            let now = try cli.run(["show", id, "--json"]).stdout
            let folded = try cli.run(["show", id, "--json", "--as-of", "9999"]).stdout
            #expect(now == folded.replacingOccurrences(of: #""asOf":"9999""#, with: #""asOf":null"#), "\(id)")
        }
    }
}
