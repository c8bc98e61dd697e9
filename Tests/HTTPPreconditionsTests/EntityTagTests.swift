import HTTPPreconditions
import HTTPTypes
import PropertyBased
import Testing

// Expected values come from RFC 9110 §8.8.3 (grammar), §8.8.3.2 (comparison) and
// §13.1.1 / §13.1.2 (`"*" / #entity-tag`), with §5.6.1 for lists.
//
//   entity-tag = [ weak ] opaque-tag
//   weak       = %s"W/"
//   opaque-tag = DQUOTE *etagc DQUOTE
//   etagc      = %x21 / %x23-7E / obs-text

@Suite("Entity tags (RFC 9110 §8.8.3)")
struct EntityTagTests {

    // MARK: - §8.8.3.2 comparison table

    struct ComparisonRow: Sendable, CustomTestStringConvertible {
        let first: String
        let second: String
        let strong: Bool
        let weak: Bool
        var testDescription: String { "\(first) vs \(second)" }
    }

    /// The table of RFC 9110 §8.8.3.2, row by row.
    static let comparisonTable: [ComparisonRow] = [
        ComparisonRow(first: #"W/"1""#, second: #"W/"1""#, strong: false, weak: true),
        ComparisonRow(first: #"W/"1""#, second: #"W/"2""#, strong: false, weak: false),
        ComparisonRow(first: #"W/"1""#, second: #""1""#, strong: false, weak: true),
        ComparisonRow(first: #""1""#, second: #""1""#, strong: true, weak: true),
        // Not in the table but implied by the definitions.
        ComparisonRow(first: #""1""#, second: #""2""#, strong: false, weak: false),
        ComparisonRow(first: #""1""#, second: #"W/"2""#, strong: false, weak: false),
        ComparisonRow(first: #""""#, second: #""""#, strong: true, weak: true),
        ComparisonRow(first: #""a""#, second: #""A""#, strong: false, weak: false),  // opaque tags are case-sensitive
    ]

    @Test("§8.8.3.2 comparison table", arguments: comparisonTable)
    func comparison(_ row: ComparisonRow) throws {
        let a = try #require(EntityTag(row.first))
        let b = try #require(EntityTag(row.second))
        #expect(a.matches(b, using: .strong) == row.strong)
        #expect(a.matches(b, using: .weak) == row.weak)
        // Both functions are symmetric.
        #expect(b.matches(a, using: .strong) == row.strong)
        #expect(b.matches(a, using: .weak) == row.weak)
    }

    // MARK: - Parsing and formatting

    struct Parsed: Sendable, CustomTestStringConvertible {
        let text: String
        let opaque: String
        let weak: Bool
        let canonical: String
        var testDescription: String { text.debugDescription }
    }

    static let wellFormed: [Parsed] = [
        // §8.8.3 examples
        Parsed(text: #""xyzzy""#, opaque: "xyzzy", weak: false, canonical: #""xyzzy""#),
        Parsed(text: #"W/"xyzzy""#, opaque: "xyzzy", weak: true, canonical: #"W/"xyzzy""#),
        Parsed(text: #""""#, opaque: "", weak: false, canonical: #""""#),
        Parsed(text: #"W/"""#, opaque: "", weak: true, canonical: #"W/"""#),
        // every printable etagc punctuation character, including ',' and '/'
        Parsed(
            text: #""!#$%&'()*+,-./:;<=>?@[\]^_`{|}~""#, opaque: #"!#$%&'()*+,-./:;<=>?@[\]^_`{|}~"#, weak: false,
            canonical: #""!#$%&'()*+,-./:;<=>?@[\]^_`{|}~""#),
        Parsed(text: #""a,b""#, opaque: "a,b", weak: false, canonical: #""a,b""#),
        Parsed(text: #""W/x""#, opaque: "W/x", weak: false, canonical: #""W/x""#),
        Parsed(text: #"W/"W/x""#, opaque: "W/x", weak: true, canonical: #"W/"W/x""#),
        // obs-text (%x80-FF): any non-ASCII UTF-8 byte
        Parsed(text: "\"caf\u{E9}\"", opaque: "caf\u{E9}", weak: false, canonical: "\"caf\u{E9}\""),
        Parsed(text: "W/\"\u{1F600}\"", opaque: "\u{1F600}", weak: true, canonical: "W/\"\u{1F600}\""),
        // surrounding whitespace of a field value is not part of it
        Parsed(text: " \"x\" ", opaque: "x", weak: false, canonical: #""x""#),
        Parsed(text: "\tW/\"x\"\t", opaque: "x", weak: true, canonical: #"W/"x""#),
    ]

    @Test("well-formed tags parse and format back (§8.8.3)", arguments: wellFormed)
    func parsesWellFormed(_ c: Parsed) throws {
        let tag = try #require(EntityTag(c.text))
        #expect(tag.opaqueTag == c.opaque)
        #expect(tag.isWeak == c.weak)
        #expect(tag.description == c.canonical)
        #expect(EntityTag(tag.description) == tag)
    }

    static let malformed: [String] = [
        "",
        " ",
        "xyzzy",  // missing quotes
        #""xyzzy"#,  // missing closing quote
        #"xyzzy""#,  // missing opening quote
        #"w/"xyzzy""#,  // %s"W/" is case-sensitive
        #"W/xyzzy"#,  // W/ without quotes
        "W/",
        #"W""#,
        #"W"x""#,  // W without /
        #"W/ "x""#,  // nothing may come between W/ and DQUOTE
        #"W//"x""#,
        #"/"x""#,
        #""a b""#,  // SP is not etagc
        "\"a\tb\"",  // HTAB is not etagc
        #""a"b""#,  // DQUOTE inside
        "\"a\u{00}b\"",  // control characters
        "\"a\u{01}b\"",
        "\"a\u{1F}b\"",
        "\"a\u{7F}b\"",  // DEL
        "\"a\nb\"",
        #""a" x"#,  // trailing garbage
        #""a"x"#,
        #""a""b""#,
        #""a", "b""#,  // a list is not one entity-tag
        #""a","#,
        "*",
        #"'a'"#,
        #"W/'a'"#,
    ]

    @Test("malformed tags are rejected (§8.8.3)", arguments: malformed)
    func rejectsMalformed(_ text: String) {
        #expect(EntityTag(text) == nil)
    }

    @Test("init(opaqueTag:) accepts only etagc")
    func opaqueTagInitializer() throws {
        let strong = try #require(EntityTag(opaqueTag: "abc"))
        #expect(!strong.isWeak)
        #expect(strong.description == #""abc""#)
        let weak = try #require(EntityTag(opaqueTag: "abc", isWeak: true))
        #expect(weak.isWeak)
        #expect(weak.description == #"W/"abc""#)
        #expect(EntityTag(opaqueTag: "")?.description == #""""#)
        #expect(EntityTag(opaqueTag: "a,b")?.description == #""a,b""#)
        #expect(EntityTag(opaqueTag: "caf\u{E9}") != nil)
        for bad in ["a b", "a\"b", "\"", "a\u{0}", "\t", "a\u{7F}", "\r\n"] {
            #expect(EntityTag(opaqueTag: bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test("weakened keeps the opaque tag and adds W/")
    func weakened() throws {
        let tag = try #require(EntityTag(#""v1""#))
        #expect(tag.weakened == EntityTag(#"W/"v1""#))
        #expect(tag.weakened.weakened == EntityTag(#"W/"v1""#))
        #expect(tag.weakened.matches(tag, using: .weak))
        #expect(!tag.weakened.matches(tag, using: .strong))
    }

    @Test("weak and strong tags with the same opaque tag are different values")
    func equality() {
        #expect(EntityTag(#""1""#) != EntityTag(#"W/"1""#))
        #expect(EntityTag(#""1""#) == EntityTag(opaqueTag: "1"))
    }

    // MARK: - Lists: "*" / #entity-tag (§13.1.1, §13.1.2, §5.6.1)

    static func tag(_ s: String) -> EntityTag { EntityTag(s)! }

    struct ListCase: Sendable, CustomTestStringConvertible {
        let values: [String]
        let expected: EntityTagList?
        var testDescription: String { values.map(\.debugDescription).joined(separator: " + ") }
    }

    static let listCases: [ListCase] = [
        ListCase(values: ["*"], expected: .any),
        ListCase(values: [" * "], expected: .any),
        ListCase(values: [#""a""#], expected: .tags([tag(#""a""#)])),
        ListCase(values: [#""a", W/"b""#], expected: .tags([tag(#""a""#), tag(#"W/"b""#)])),
        ListCase(values: [#""a",W/"b","""#], expected: .tags([tag(#""a""#), tag(#"W/"b""#), tag(#""""#)])),
        // OWS around commas
        ListCase(values: ["\"a\" \t,\t W/\"b\"  "], expected: .tags([tag(#""a""#), tag(#"W/"b""#)])),
        // §5.6.1: empty list elements are accepted and ignored
        ListCase(values: [#""a", , "b""#], expected: .tags([tag(#""a""#), tag(#""b""#)])),
        ListCase(values: [#"  ,"a",,,"b",  "#], expected: .tags([tag(#""a""#), tag(#""b""#)])),
        ListCase(values: [","], expected: .tags([])),
        ListCase(values: [""], expected: .tags([])),
        // a comma inside quotes is part of the opaque tag
        ListCase(values: [#""a,b""#], expected: .tags([tag(#""a,b""#)])),
        ListCase(values: [#""a,b", "c""#], expected: .tags([tag(#""a,b""#), tag(#""c""#)])),
        ListCase(values: [#"W/"a,b",W/",""#], expected: .tags([tag(#"W/"a,b""#), tag(#"W/",""#)])),
        // several field lines make one list (§5.3)
        ListCase(values: [#""a""#, #""b""#], expected: .tags([tag(#""a""#), tag(#""b""#)])),
        ListCase(values: [#""a", "b""#, #"W/"c""#, #""d""#], expected: .tags([tag(#""a""#), tag(#""b""#), tag(#"W/"c""#), tag(#""d""#)])),
        ListCase(values: [#""a""#, ""], expected: .tags([tag(#""a""#)])),
        // "*" stands alone
        ListCase(values: [#"*, "a""#], expected: nil),
        ListCase(values: [#""a", *"#], expected: nil),
        ListCase(values: ["*, *"], expected: nil),
        ListCase(values: ["**"], expected: nil),
        ListCase(values: ["*", #""a""#], expected: nil),
        ListCase(values: [#""a""#, "*"], expected: nil),
        ListCase(values: ["*", "*"], expected: nil),
        ListCase(values: ["W/*"], expected: nil),
        ListCase(values: [#""*""#], expected: .tags([tag(#""*""#)])),  // a quoted * is a tag
        // malformed members make the whole value malformed
        ListCase(values: ["a"], expected: nil),
        ListCase(values: [#""a" "b""#], expected: nil),  // missing comma
        ListCase(values: [#""a";"b""#], expected: nil),
        ListCase(values: [#""a", b"#], expected: nil),
        ListCase(values: [#""a", w/"b""#], expected: nil),
        ListCase(values: [#""a", "b"#], expected: nil),
        ListCase(values: [#""a b""#], expected: nil),
        ListCase(values: [#""a""#, "b"], expected: nil),
        ListCase(values: [#""a"#, #"b""#], expected: nil),  // a tag cannot span field lines
    ]

    @Test("list parsing (§13.1.1, §13.1.2, §5.6.1)", arguments: listCases)
    func listParsing(_ c: ListCase) {
        #expect(EntityTagList(fieldValues: c.values) == c.expected)
        var fields = HTTPFields()
        for value in c.values { fields.append(HTTPField(name: .ifNoneMatch, value: value)) }
        #expect(EntityTagList(fields, .ifNoneMatch) == c.expected)
        if c.values.count == 1 {
            #expect(EntityTagList(c.values[0]) == c.expected)
        }
    }

    @Test("an absent field is not a list")
    func absentField() {
        #expect(EntityTagList(HTTPFields(), .ifMatch) == nil)
        let fields: HTTPFields = [.ifNoneMatch: #""a""#]
        #expect(EntityTagList(fields, .ifMatch) == nil)
    }

    @Test("list description")
    func listDescription() {
        #expect(EntityTagList.any.description == "*")
        #expect(EntityTagList(#""a",,W/"b""#)?.description == #""a", W/"b""#)
        let list = EntityTagList(#"W/"x", "y,z""#)
        #expect(list.flatMap { EntityTagList($0.description) } == list)
    }

    // MARK: - matches

    struct MatchCase: Sendable, CustomTestStringConvertible {
        let list: String
        let current: String?
        let exists: Bool
        let strong: Bool
        let weak: Bool
        let note: String
        var testDescription: String { "\(list) vs \(current ?? "no tag")\(exists ? "" : " (missing)") — \(note)" }
    }

    static let matchCases: [MatchCase] = [
        MatchCase(list: "*", current: #""1""#, exists: true, strong: true, weak: true, note: "§13.1.1 * matches any current representation"),
        MatchCase(list: "*", current: nil, exists: true, strong: true, weak: true, note: "§13.1.1 * needs no tag"),
        MatchCase(list: "*", current: #"W/"1""#, exists: true, strong: true, weak: true, note: "§13.1.1 * with a weak current tag"),
        MatchCase(list: "*", current: nil, exists: false, strong: false, weak: false, note: "§13.1.1 * fails without a representation"),
        MatchCase(list: #""1""#, current: #""1""#, exists: true, strong: true, weak: true, note: "§8.8.3.2"),
        MatchCase(list: #"W/"1""#, current: #""1""#, exists: true, strong: false, weak: true, note: "§8.8.3.2 weak listed"),
        MatchCase(list: #""1""#, current: #"W/"1""#, exists: true, strong: false, weak: true, note: "§8.8.3.2 weak current"),
        MatchCase(list: #"W/"1""#, current: #"W/"1""#, exists: true, strong: false, weak: true, note: "§8.8.3.2 both weak"),
        MatchCase(list: #""2", "1""#, current: #""1""#, exists: true, strong: true, weak: true, note: "any member"),
        MatchCase(list: #"W/"1", "1""#, current: #""1""#, exists: true, strong: true, weak: true, note: "strong member after weak"),
        MatchCase(list: #""2", "3""#, current: #""1""#, exists: true, strong: false, weak: false, note: "no member"),
        MatchCase(list: #""1""#, current: nil, exists: true, strong: false, weak: false, note: "no current tag"),
        MatchCase(list: #""1""#, current: #""1""#, exists: false, strong: false, weak: false, note: "no representation"),
        MatchCase(list: "", current: #""1""#, exists: true, strong: false, weak: false, note: "empty list"),
        MatchCase(list: #""a,b""#, current: #""a""#, exists: true, strong: false, weak: false, note: "quoted comma is not a separator"),
        MatchCase(list: #""a,b""#, current: #""a,b""#, exists: true, strong: true, weak: true, note: "quoted comma"),
    ]

    @Test("EntityTagList.matches", arguments: matchCases)
    func listMatches(_ c: MatchCase) throws {
        let list = try #require(EntityTagList(c.list))
        let current = c.current.map { EntityTag($0)! }
        #expect(list.matches(current, representationExists: c.exists, using: .strong) == c.strong)
        #expect(list.matches(current, representationExists: c.exists, using: .weak) == c.weak)
    }

    // MARK: - Properties

    /// etagc restricted to what a Swift String can hold: %x21 / %x23-7E, plus some non-ASCII
    /// characters whose UTF-8 bytes are all obs-text.
    static let etagc: [Character] =
        [Character("!")] + (0x23...0x7E).map { Character(UnicodeScalar(UInt8($0))) }
        + ["\u{E9}", "\u{FC}", "\u{2192}", "\u{1F600}", "\u{80}", "\u{FF}"]

    static let forbidden: [Character] =
        (0x00...0x20).map { Character(UnicodeScalar(UInt8($0))) } + ["\"", "\u{7F}"]

    @Test("random tags: description → parse → equal")
    func roundTripProperty() async {
        let chars = Self.etagc
        let opaque = Gen.int(in: 0..<chars.count).array(of: 0...24).map { String($0.map { chars[$0] }) }
        await propertyCheck(count: 1000, input: opaque, Gen.bool) { text, weak in
            guard let tag = EntityTag(opaqueTag: text, isWeak: weak) else {
                Issue.record("etagc rejected: \(text.debugDescription)")
                return
            }
            #expect(tag.opaqueTag == text)
            #expect(tag.description == (weak ? "W/\"\(text)\"" : "\"\(text)\""))
            #expect(EntityTag(tag.description) == tag)
            #expect(EntityTagList(tag.description) == .tags([tag]))
        }
    }

    @Test("random lists: description → parse → equal")
    func listRoundTripProperty() async {
        let chars = Self.etagc
        let opaque = Gen.int(in: 0..<chars.count).array(of: 0...12).map { String($0.map { chars[$0] }) }
        let tags = zip(opaque, Gen.bool).map { EntityTag(opaqueTag: $0, isWeak: $1)! }.array(of: 1...6)
        await propertyCheck(count: 500, input: tags) { tags in
            let list = EntityTagList.tags(tags)
            #expect(EntityTagList(list.description) == list)
            // the same tags, one per field line
            #expect(EntityTagList(fieldValues: tags.map(\.description)) == list)
        }
    }

    @Test("random tags with a forbidden character are rejected")
    func forbiddenCharacterProperty() async {
        let chars = Self.etagc
        let bad = Self.forbidden
        let opaque = Gen.int(in: 0..<chars.count).array(of: 0...12).map { String($0.map { chars[$0] }) }
        await propertyCheck(count: 500, input: opaque, Gen.int(in: 0..<bad.count), Gen.int(in: 0...12), Gen.bool) {
            text, badIndex, position, weak in
            var broken = Array(text)
            broken.insert(bad[badIndex], at: min(position, broken.count))
            let opaqueText = String(broken)
            #expect(EntityTag(opaqueTag: opaqueText, isWeak: weak) == nil)
            let quoted = (weak ? "W/\"" : "\"") + opaqueText + "\""
            #expect(EntityTag(quoted) == nil, "\(quoted.debugDescription)")
        }
    }
}
