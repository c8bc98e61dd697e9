import HTTPTypes

/// The list syntax of `Cache-Control` and `Pragma` (RFC 9111 §5.2, §5.4):
/// `#( token [ "=" ( token / quoted-string ) ] )`.
enum CacheControlGrammar {
    /// Calls `visit` with each directive's name, its argument (without the quotes when it is a
    /// quoted-string, escapes left in place) and whether it was quoted. Empty list elements
    /// are skipped (RFC 9110 §5.6.1); a comma inside a quoted string does not end a directive.
    static func scan(
        _ bytes: UnsafeRawBufferPointer,
        _ visit: (_ name: UnsafeRawBufferPointer, _ argument: UnsafeRawBufferPointer?, _ quoted: Bool) -> Void
    ) {
        var i = 0
        let n = bytes.count
        while i < n {
            while i < n, ASCII.isWhitespace(bytes[i]) || bytes[i] == UInt8(ascii: ",") { i += 1 }
            guard i < n else { return }
            let nameStart = i
            while i < n, bytes[i] != UInt8(ascii: "="), bytes[i] != UInt8(ascii: ",") { i += 1 }
            let name = ASCII.trimmed(UnsafeRawBufferPointer(rebasing: bytes[nameStart..<i]))
            var argument: UnsafeRawBufferPointer?
            var quoted = false
            if i < n, bytes[i] == UInt8(ascii: "=") {
                i += 1
                while i < n, ASCII.isWhitespace(bytes[i]) { i += 1 }
                if i < n, bytes[i] == UInt8(ascii: "\"") {
                    quoted = true
                    i += 1
                    let valueStart = i
                    while i < n, bytes[i] != UInt8(ascii: "\"") {
                        if bytes[i] == UInt8(ascii: "\\") { i += 1 }
                        i += 1
                    }
                    argument = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<min(i, n)])
                    // Skip the closing quote and anything up to the next comma.
                    while i < n, bytes[i] != UInt8(ascii: ",") { i += 1 }
                } else {
                    let valueStart = i
                    while i < n, bytes[i] != UInt8(ascii: ",") { i += 1 }
                    argument = ASCII.trimmed(UnsafeRawBufferPointer(rebasing: bytes[valueStart..<i]))
                }
            }
            if !name.isEmpty { visit(name, argument, quoted) }
        }
    }

    /// The field names of a qualified `no-cache` or `private` argument: a comma-separated
    /// list of field names inside a quoted string (§5.2.2.4, §5.2.2.7). Names that are not
    /// valid field names are dropped.
    static func fieldNames(_ argument: UnsafeRawBufferPointer) -> [HTTPField.Name] {
        var names: [HTTPField.Name] = []
        var start = 0
        for i in 0...argument.count where i == argument.count || argument[i] == UInt8(ascii: ",") {
            let element = ASCII.trimmed(UnsafeRawBufferPointer(rebasing: argument[start..<i]))
            start = i + 1
            guard !element.isEmpty else { continue }
            let text = String(decoding: element.lazy.filter { $0 != UInt8(ascii: "\\") }, as: UTF8.self)
            if let name = HTTPField.Name(text), !names.contains(name) { names.append(name) }
        }
        return names
    }
}

extension CacheControl {
    /// Applies one directive, keeping the most restrictive value when it repeats (§4.2.1).
    mutating func apply(name: UnsafeRawBufferPointer, argument: UnsafeRawBufferPointer?, quoted: Bool) {
        switch name.count {
        case 7:
            if ASCII.equalsIgnoringCase(name, "max-age") {
                maxAge = Self.restrictive(maxAge, Self.freshnessSeconds(argument))
            } else if ASCII.equalsIgnoringCase(name, "private") {
                applyQualified(.private, argument, to: \.privateFieldNames)
            }
        case 8:
            if ASCII.equalsIgnoringCase(name, "no-cache") {
                applyQualified(.noCache, argument, to: \.noCacheFieldNames)
            } else if ASCII.equalsIgnoringCase(name, "no-store") {
                flags.insert(.noStore)
            } else if ASCII.equalsIgnoringCase(name, "s-maxage") {
                sharedMaxAge = Self.restrictive(sharedMaxAge, Self.freshnessSeconds(argument))
            }
        case 6:
            if ASCII.equalsIgnoringCase(name, "public") { flags.insert(.public) }
        case 9:
            if ASCII.equalsIgnoringCase(name, "max-stale") {
                applyMaxStale(argument)
            } else if ASCII.equalsIgnoringCase(name, "min-fresh") {
                if let seconds = argument.flatMap(DeltaSeconds.parse) { minFresh = max(minFresh ?? 0, seconds) }
            } else if ASCII.equalsIgnoringCase(name, "immutable") {
                flags.insert(.immutable)
            }
        case 12:
            if ASCII.equalsIgnoringCase(name, "no-transform") { flags.insert(.noTransform) }
        case 14:
            if ASCII.equalsIgnoringCase(name, "only-if-cached") {
                flags.insert(.onlyIfCached)
            } else if ASCII.equalsIgnoringCase(name, "stale-if-error") {
                if let seconds = argument.flatMap(DeltaSeconds.parse) {
                    staleIfError = Self.restrictive(staleIfError, seconds)
                }
            }
        case 15:
            if ASCII.equalsIgnoringCase(name, "must-revalidate") {
                flags.insert(.mustRevalidate)
            } else if ASCII.equalsIgnoringCase(name, "must-understand") {
                flags.insert(.mustUnderstand)
            }
        case 16:
            if ASCII.equalsIgnoringCase(name, "proxy-revalidate") { flags.insert(.proxyRevalidate) }
        case 22:
            if ASCII.equalsIgnoringCase(name, "stale-while-revalidate") {
                if let seconds = argument.flatMap(DeltaSeconds.parse) {
                    staleWhileRevalidate = Self.restrictive(staleWhileRevalidate, seconds)
                }
            }
        default:
            break  // §5.2.3: unknown directives are ignored.
        }
    }

    /// A freshness argument: invalid or missing means "stale" (§4.2.1, §5.2.2.1).
    static func freshnessSeconds(_ argument: UnsafeRawBufferPointer?) -> Int64 {
        argument.flatMap(DeltaSeconds.parse) ?? 0
    }

    static func restrictive(_ old: Int64?, _ new: Int64) -> Int64 {
        old.map { min($0, new) } ?? new
    }

    mutating func applyMaxStale(_ argument: UnsafeRawBufferPointer?) {
        guard let argument else {
            if maxStale == nil { maxStale = .unlimited }
            return
        }
        // An invalid value grants nothing: the client asked for a bound we cannot read.
        guard let seconds = DeltaSeconds.parse(argument) else { return }
        switch maxStale {
        case .seconds(let old): maxStale = .seconds(min(old, seconds))
        case .unlimited, nil: maxStale = .seconds(seconds)
        }
    }

    /// `no-cache` and `private`: with field names, only those fields are affected; the
    /// unqualified form (or an empty list) applies to the whole response.
    mutating func applyQualified(
        _ flag: Flags,
        _ argument: UnsafeRawBufferPointer?,
        to names: WritableKeyPath<CacheControl, [HTTPField.Name]>
    ) {
        guard let argument else {
            flags.insert(flag)
            return
        }
        let parsed = CacheControlGrammar.fieldNames(argument)
        if parsed.isEmpty {
            flags.insert(flag)
        } else {
            for name in parsed where !self[keyPath: names].contains(name) {
                self[keyPath: names].append(name)
            }
        }
    }
}
