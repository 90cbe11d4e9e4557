import Foundation
import Testing

/// Every append-time rule of SPEC §5: the input is rejected with exit 2 and a
/// one-line reason, and the ledger file is byte-for-byte unchanged.
@Suite struct AppendRulesTests {
    static let base = Fixture.policy + "\n" + """
        {"stream":"ballerup/erhverv-2017/mal-3/elever","type":"IndicatorDefined","effective":"2017-09-26","actor":"ballerup/kb","id":"i1","data":{"goal":"ballerup/erhverv-2017/mal-3","title":"Andel elever der vælger erhvervsuddannelse","unit":"%","direction":"increase"}}
        {"stream":"ballerup/vision-2029","type":"PlanDrafted","effective":"2016-03-02","actor":"ballerup/kb","id":"v1","data":{"organization":"ballerup/kb","kind":"vision","title":"Vision 2029"}}
        {"stream":"ballerup/vision-2029/groen-by","type":"ThemeAdded","effective":"2016-03-02","actor":"ballerup/kb","id":"vt1","data":{"plan":"ballerup/vision-2029","title":"Ballerup – en grøn by i balance"}}
        {"stream":"ballerup/mette","type":"ActorRegistered","effective":"2016-01-01","actor":"ballerup/kb","id":"m1","data":{"name":"Mette-Louise Andersen Rohde","kind":"person","role":"Udviklingskonsulent"}}
        """

    static func line(_ stream: String, _ type: String, _ data: String, effective: String = "2020-01-01", actor: String = "ballerup/kb",
                     extra: String = "") -> String {
        #"{"stream":"\#(stream)","type":"\#(type)","effective":"\#(effective)","actor":"\#(actor)"\#(extra),"data":\#(data)}"#
    }

    static let goal = "ballerup/erhverv-2017/mal-3"

    @Test(arguments: [
        ("creation on an existing stream", line(goal, "GoalDefined", #"{"plan":"ballerup/erhverv-2017","title":"X"}"#),
         "already exists (a goal)"),
        ("change on a missing stream", line("ballerup/erhverv-2017/mal-9", "GoalRevised", #"{"title":"X"}"#), "no stream ballerup/erhverv-2017/mal-9"),
        ("change of the wrong kind", line(goal, "MeasurementRecorded", #"{"value":1}"#), "MeasurementRecorded does not apply to a goal"),
        ("status on a plan", line("ballerup/erhverv-2017", "StatusChanged", #"{"status":"achieved"}"#), "does not apply to a plan"),
        ("missing plan", line("x/g", "GoalDefined", #"{"plan":"x","title":"X"}"#), "data.plan: no plan x"),
        ("plan of the wrong kind", line("x/g", "GoalDefined", #"{"plan":"ballerup/erhverv-2017/mal-3","title":"X"}"#), "is a goal, not a plan"),
        ("missing theme", line("ballerup/erhverv-2017/mal-8", "GoalDefined", #"{"plan":"ballerup/erhverv-2017","theme":"ballerup/erhverv-2017/spor-9","title":"X"}"#), "data.theme: no theme"),
        ("theme of another plan", line("ballerup/erhverv-2017/mal-8", "GoalDefined", #"{"plan":"ballerup/erhverv-2017","theme":"ballerup/vision-2029/groen-by","title":"X"}"#), "belongs to plan ballerup/vision-2029"),
        ("missing goal", line("x/i", "IndicatorDefined", #"{"goal":"x/g","title":"X","unit":"%","direction":"increase"}"#), "data.goal: no goal x/g"),
        ("missing organization", line("x", "PlanDrafted", #"{"organization":"x/kb","kind":"plan","title":"X"}"#), "data.organization: no actor x/kb"),
        ("organization that is a plan", line("x", "PlanDrafted", #"{"organization":"ballerup/vision-2029","kind":"plan","title":"X"}"#), "is a plan, not an actor"),
        ("missing supersedes", line("x", "PlanDrafted", #"{"organization":"ballerup/kb","kind":"plan","title":"X","supersedes":"ballerup/old"}"#), "data.supersedes: no plan"),
        ("adopted by nobody", line("ballerup/vision-2029", "PlanAdopted", #"{"by":"ballerup/kmb"}"#), "data.by: no actor ballerup/kmb"),
        ("superseded by a goal", line("ballerup/vision-2029", "PlanSuperseded", #"{"by":"ballerup/erhverv-2017/mal-3"}"#), "is a goal, not a plan"),
        ("member of nobody", line("ballerup/x", "ActorRegistered", #"{"name":"X","kind":"person","memberOf":"ballerup/udvalg"}"#), "data.memberOf: no actor"),
        ("link to a missing entity", line(goal, "Linked", #"{"to":"ballerup/vision-2029/erhverv"}"#), "data.to: no entity"),
        ("link to an actor", line(goal, "Linked", #"{"to":"ballerup/kb"}"#), "is an actor; links go to"),
        ("unregistered actor", line(goal, "GoalRevised", #"{"title":"X"}"#, actor: "ballerup/okonomiudvalget"), "actor ballerup/okonomiudvalget is not registered"),
        ("actor that is a plan", line(goal, "GoalRevised", #"{"title":"X"}"#, actor: "ballerup/vision-2029"), "is a plan, not a registered actor"),
        ("self-naming actor on a change", line("ballerup/mette", "ActorRevised", #"{"role":"Chef"}"#, actor: "ballerup/mette"), "only ActorRegistered may name its own stream"),
        ("self-registration needs the actor to be the stream", line("ballerup/y", "ActorRegistered", #"{"name":"Y","kind":"body"}"#, actor: "ballerup/z"), "actor ballerup/z is not registered"),
        ("target revision without reason", line(goal, "TargetSet", #"{"value":30,"unit":"%"}"#), "already has a target; revising it needs a \"reason\""),
        ("retraction of another stream's event", line(goal, "Retracted", #"{"event":"vt1"}"#), "belongs to stream ballerup/vision-2029/groen-by"),
        ("retraction of an unknown event", line(goal, "Retracted", #"{"event":"nope"}"#), "no event with id nope"),
        ("effective before creation", line(goal, "GoalRevised", #"{"title":"X"}"#, effective: "2016-01-01"), "is before ballerup/erhverv-2017/mal-3 was created"),
        ("unlink of something not linked", line(goal, "Unlinked", #"{"to":"sdg:4"}"#), "is not linked to sdg:4"),
        ("revision with nothing", line(goal, "GoalRevised", "{}"), "GoalRevised needs at least one of"),
        ("revision of the parent", line(goal, "GoalRevised", #"{"plan":"ballerup/vision-2029"}"#), "unknown member \"plan\" in data"),
        ("unknown top-level member", line(goal, "GoalRevised", #"{"title":"X"}"#, extra: #","author":"me""#), "unknown member \"author\""),
        ("unknown data member", line(goal, "TargetSet", #"{"value":30,"unit":"%","target":1}"#, extra: #","reason":"r""#), "unknown member \"target\" in data"),
        ("empty text", line(goal, "GoalRevised", #"{"title":"   "}"#), "\"data.title\" is empty"),
        ("too long text", line(goal, "GoalRevised", #"{"title":"\#(String(repeating: "æ", count: 10_001))"}"#), "longer than 10000 characters"),
        ("non-finite number", line(goal, "TargetSet", #"{"value":1e999,"unit":"%"}"#, extra: #","reason":"r""#), "number out of range"),
        ("impossible date", line(goal, "TargetSet", #"{"value":1,"unit":"%","deadline":"2025-02-29"}"#, extra: #","reason":"r""#), "real calendar date"),
        ("impossible effective", line(goal, "GoalRevised", #"{"title":"X"}"#, effective: "2019-02-29"), "not a real calendar date"),
        ("wrong enum", line(goal, "StatusChanged", #"{"status":"done"}"#), "must be one of active, achieved"),
        ("uppercase id", line("Ballerup/KB2", "ActorRegistered", #"{"name":"X","kind":"body"}"#, actor: "Ballerup/KB2"), "is not an entity id"),
    ])
    func ruleRejectsAndWritesNothing(rule: String, input: String, message: String) throws {
        let cli = try CLI()
        try cli.importText(Self.base)
        let before = cli.checksum(cli.db)
        let r = try cli.run(["append"], stdin: Data(input.utf8))
        #expect(r.code == 2, "\(rule): exit \(r.code) \(r.stderr)")
        #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains(message), "\(rule): \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(rule)")
        #expect(cli.checksum(cli.db) == before, "\(rule): the ledger file changed")
    }

    @Test func retractionsCannotBeRetractedOrRepeated() throws {
        let cli = try CLI()
        try cli.importText(Self.base + "\n" + Self.line(Self.goal, "Retracted", #"{"event":"t1"}"#, extra: #","id":"r1""#))
        let before = cli.checksum(cli.db)
        for (input, message) in [
            (Self.line(Self.goal, "Retracted", #"{"event":"r1"}"#), "is itself a retraction"),
            (Self.line(Self.goal, "Retracted", #"{"event":"t1"}"#), "event t1 is already retracted"),
        ] {
            let r = try cli.run(["append"], stdin: Data(input.utf8))
            #expect(r.code == 2)
            #expect(r.stderr.contains(message), "\(r.stderr)")
        }
        #expect(cli.checksum(cli.db) == before)
        // With t1 retracted the goal has no target, so a new one needs no reason.
        #expect(try cli.run(["append"], stdin: Data(Self.line(Self.goal, "TargetSet", #"{"value":30,"unit":"%"}"#).utf8)).code == 0)
    }
}
