/// A URI reference split into its five components (RFC 3986 Appendix B), and resolution of
/// a relative reference against a base URI (RFC 3986 §5.2). Used to resolve `Location` and
/// `Content-Location` for invalidation (RFC 9111 §4.4).
struct URIReference: Equatable {
    var scheme: Substring?
    var authority: Substring?
    var path: Substring
    var query: Substring?

    /// Splits a reference, as the regular expression of RFC 3986 Appendix B does. The
    /// fragment is dropped: it never reaches a cache key.
    init(_ string: Substring) {
        var rest = string
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        scheme = nil
        if let colon = rest.firstIndex(where: { $0 == ":" || $0 == "/" || $0 == "?" }), rest[colon] == ":",
            colon > rest.startIndex, rest[rest.startIndex].isLetter
        {
            scheme = rest[..<colon]
            rest = rest[rest.index(after: colon)...]
        }
        authority = nil
        if rest.hasPrefix("//") {
            let start = rest.index(rest.startIndex, offsetBy: 2)
            let end = rest[start...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            authority = rest[start..<end]
            rest = rest[end...]
        }
        if let question = rest.firstIndex(of: "?") {
            path = rest[..<question]
            query = rest[rest.index(after: question)...]
        } else {
            path = rest
            query = nil
        }
    }

    init(scheme: Substring?, authority: Substring?, path: Substring, query: Substring?) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
    }

    /// This reference resolved against `base` (RFC 3986 §5.2.2, strict).
    func resolved(against base: URIReference) -> URIReference {
        if let scheme {
            return URIReference(scheme: scheme, authority: authority, path: Self.removeDotSegments(path), query: query)
        }
        if let authority {
            return URIReference(scheme: base.scheme, authority: authority, path: Self.removeDotSegments(path), query: query)
        }
        if path.isEmpty {
            return URIReference(scheme: base.scheme, authority: base.authority, path: base.path, query: query ?? base.query)
        }
        if path.hasPrefix("/") {
            return URIReference(scheme: base.scheme, authority: base.authority, path: Self.removeDotSegments(path), query: query)
        }
        // §5.2.3 merge: the base path up to its last slash, then this path.
        let merged: Substring
        if base.authority != nil && base.path.isEmpty {
            merged = "/" + path
        } else if let slash = base.path.lastIndex(of: "/") {
            merged = base.path[...slash] + path
        } else {
            merged = path
        }
        return URIReference(scheme: base.scheme, authority: base.authority, path: Self.removeDotSegments(merged), query: query)
    }

    /// RFC 3986 §5.2.4.
    static func removeDotSegments(_ path: Substring) -> Substring {
        var input = path
        var output: [Substring] = []  // segments, each with its leading "/" when it had one
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") {
                input = input.dropFirst(3)
                if !output.isEmpty { output.removeLast() }
            } else if input == "/.." {
                input = "/"
                if !output.isEmpty { output.removeLast() }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                let searchStart = input.hasPrefix("/") ? input.index(after: input.startIndex) : input.startIndex
                let end = input[searchStart...].firstIndex(of: "/") ?? input.endIndex
                output.append(input[..<end])
                input = input[end...]
            }
        }
        return Substring(output.joined())
    }

    /// The origin (scheme, host, port) normalised, for same-origin comparison (RFC 6454 §4).
    var normalizedOrigin: String? {
        guard let scheme, let authority else { return nil }
        return TargetURI.normalized(scheme: scheme, authority: authority, pathAndQuery: "")
    }

    /// The normalised absolute URI, or `nil` when the reference is not absolute.
    var normalizedURI: String? {
        guard let scheme, let authority else { return nil }
        var target = String(path)
        if let query { target += "?" + query }
        return TargetURI.normalized(scheme: scheme, authority: authority, pathAndQuery: target)
    }
}
