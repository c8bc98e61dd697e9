// Entity tags and entity-tag lists (`ETag`, `If-Match`, `If-None-Match`, `If-Range`).
// The input is text; each line is one field line.
//
// Properties:
// - every tag of a parsed list formats (`description`) to text that parses back to an equal
//   tag, and the whole list formats to a value that parses back to an equal list;
// - parsing the lines as the lines of one field gives the same list as parsing them joined
//   with ", " as one line (RFC 9110 §5.3), and either both are malformed or neither;
// - a single entity-tag (`ETag`) formats and parses back to itself.
import FuzzSupport
import HTTPPreconditions

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzLines(data, size)
    let joined = input.lines.joined(separator: ", ")

    let whole = EntityTagList(joined)
    if let whole {
        check(EntityTagList(whole.description) == whole, "list \(whole) does not re-parse from \(joined.debugDescription)")
        if case .tags(let tags) = whole {
            for tag in tags {
                check(EntityTag(tag.description) == tag, "tag \(tag) does not re-parse")
            }
        }
    }
    let split = EntityTagList(fieldValues: input.lines)
    check(split == whole, "lines \(input.lines) parse to \(String(describing: split)) but joined to \(String(describing: whole))")

    if let tag = EntityTag(joined) {
        check(EntityTag(tag.description) == tag, "tag \(tag) does not re-parse")
        check(EntityTag(opaqueTag: tag.opaqueTag, isWeak: tag.isWeak) == tag, "tag \(tag) cannot be rebuilt from its opaque part")
        check(EntityTagList(tag.description) == .tags([tag]), "a single tag is not a one-tag list")
    }
    return 0
}

cachet_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz)
