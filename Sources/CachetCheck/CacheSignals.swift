import HTTPCachePolicy
import HTTPTypes
import RawStructuredFieldValues

/// What a response says about the caches it passed through: `Cache-Status` (RFC 9211),
/// the de facto `X-Cache`, and `Age` (RFC 9111 §5.1).
struct CacheSignals {
    /// One `Cache-Status` member, the cache nearest the client last (RFC 9211 §2).
    struct Member {
        var cache: String
        var hit: Bool
        var forward: String?
        var forwardStatus: Int64?
    }

    var members: [Member] = []
    var cacheStatusInvalid = false
    var xCache: String?
    var age: Int64?

    init(_ response: FetchedResponse) {
        if let value = response.combined(.checkCacheStatus) {
            do {
                var parser = StructuredFieldValueParser(Array(value.utf8))
                for element in try parser.parseListFieldValue() {
                    guard case .item(let item) = element else { continue }
                    let name: String
                    switch item.rfc9651BareItem {
                    case .token(let token): name = token
                    case .string(let string): name = string
                    default: name = "?"
                    }
                    var member = Member(cache: name, hit: false)
                    for (key, value) in item.rfc9651Parameters {
                        switch (key, value) {
                        case ("hit", .bool(let flag)): member.hit = flag
                        case ("fwd", .token(let reason)): member.forward = reason
                        case ("fwd-status", .integer(let status)): member.forwardStatus = status
                        default: break
                        }
                    }
                    members.append(member)
                }
            } catch {
                cacheStatusInvalid = true
            }
        }
        xCache = response.combined(.checkXCache)
        age = AgeCalculation.ageValue(of: response.fields)
    }

    var isEmpty: Bool { members.isEmpty && xCache == nil && age == nil && !cacheStatusInvalid }

    /// The cache nearest the client answered from storage: its `Cache-Status` member says
    /// `hit`, or (without Cache-Status) `X-Cache` starts with HIT.
    var servedFromCache: Bool? {
        if let nearest = members.last { return nearest.hit }
        if let xCache {
            let first = xCache.split(separator: ",").first.map { $0.trimmingWhitespace().uppercased() } ?? ""
            if first.hasPrefix("HIT") { return true }
            if first.hasPrefix("MISS") || first.hasPrefix("PASS") || first.hasPrefix("EXPIRED") { return false }
        }
        return nil
    }

    var summary: String {
        var parts: [String] = []
        if !members.isEmpty {
            parts.append("Cache-Status: " + members.map { m in
                [m.cache, m.hit ? "hit" : nil, m.forward.map { "fwd=\($0)" }, m.forwardStatus.map { "fwd-status=\($0)" }]
                    .compactMap { $0 }.joined(separator: ";")
            }.joined(separator: ", "))
        }
        if let xCache { parts.append("X-Cache: \(xCache)") }
        if let age { parts.append("Age: \(age)") }
        return parts.joined(separator: "; ")
    }
}
