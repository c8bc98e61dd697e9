import HTTPCachePolicy
import HTTPTypes

/// The requests the proxy sends to the origin, derived from the client's.
enum OriginRequests {
    /// Hop-by-hop fields (RFC 9110 §7.6.1) never forwarded.
    static let hopByHop: [HTTPField.Name] = [
        .connection, HTTPField.Name("Keep-Alive")!, .te, .transferEncoding, .upgrade,
        HTTPField.Name("Proxy-Connection")!, .proxyAuthorization, .trailer,
    ]

    /// The client's request as it goes on: hop-by-hop fields removed, `Via` added.
    static func forward(_ request: HTTPRequest, via: String) -> HTTPRequest {
        var outbound = request
        var fields = HTTPFields()
        fields.reserveCapacity(request.headerFields.count + 1)
        let named = StoredFields.namedByConnection(request.headerFields)
        for field in request.headerFields where !hopByHop.contains(field.name) && !named.contains(field.name) {
            fields.append(field)
        }
        if let existing = fields[.via] {
            fields[.via] = existing + ", " + via
        } else {
            fields[.via] = via
        }
        outbound.headerFields = fields
        return outbound
    }

    /// A miss: the whole response is asked for, so the client's own validators and ranges
    /// are removed; the cache answers them itself from what it stores (RFC 9111 §4.3.2).
    /// A HEAD miss fetches the GET, which the cache can store and reuse for both.
    static func miss(_ request: HTTPRequest, via: String) -> HTTPRequest {
        var outbound = forward(request, via: via)
        outbound.method = .get
        for name in [HTTPField.Name.ifNoneMatch, .ifModifiedSince, .ifRange, .range] {
            outbound.headerFields[name] = nil
        }
        return outbound
    }

    /// A validation request built by `CachePolicy.evaluate`, prepared for the origin.
    static func validation(_ conditional: HTTPRequest, via: String) -> HTTPRequest {
        forward(conditional, via: via)
    }
}
