import HTTPTypes

/// What RFC 9110 and RFC 9111 say about status codes, as a cache needs it.
public enum StatusCodes {
    /// Whether responses with this status may be given a heuristic freshness lifetime
    /// (RFC 9110 §15.1: 200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501).
    public static func isHeuristicallyCacheable(_ status: HTTPResponse.Status) -> Bool {
        switch status.code {
        case 200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501: return true
        default: return false
        }
    }

    /// Whether this cache understands the status code's semantics, which `must-understand`
    /// (RFC 9111 §5.2.2.3) and storing a 206 (§3) require: the final status codes RFC 9110
    /// §15 defines.
    public static func isUnderstood(_ status: HTTPResponse.Status) -> Bool {
        switch status.code {
        case 200...206, 300...305, 307, 308,
            400...417, 421, 422, 426,
            500...505:
            return true
        default:
            return false
        }
    }
}
