import HTTPTypes

/// Which header fields a cache keeps, updates and forwards (RFC 9111 §3.1, §3.2; RFC 9110
/// §7.6.1).
public enum StoredFields {
    /// `Proxy-Connection`, a non-standard connection-specific field still seen in the wild.
    public static let proxyConnection = HTTPField.Name("Proxy-Connection")!
    /// `Keep-Alive` (RFC 2068 §19.7.1), connection-specific.
    public static let keepAlive = HTTPField.Name("Keep-Alive")!
    /// `Warning`, obsoleted by RFC 9111 (§5.5).
    public static let warning = HTTPField.Name("Warning")!

    /// Fields a cache must not store or forward (RFC 9111 §3.1, RFC 9110 §7.6.1): the
    /// connection-specific fields and the proxy authentication fields.
    public static let connectionSpecific: [HTTPField.Name] = [
        .connection, proxyConnection, keepAlive, .te, .transferEncoding, .upgrade,
        .proxyAuthenticate, .proxyAuthenticationInfo, .proxyAuthorization,
    ]

    /// Fields a 304 never changes in a stored response (RFC 9111 §3.2): `Content-Length`
    /// (named by §3.2), and the fields that describe the stored bytes themselves, which the
    /// stored content depends on: its coding, its range, its framing and its digests.
    public static let frozenByContent: [HTTPField.Name] = [
        .contentLength, .contentEncoding, .contentRange, .transferEncoding,
        HTTPField.Name("Content-MD5")!, HTTPField.Name("Content-Digest")!,
        HTTPField.Name("Repr-Digest")!, HTTPField.Name("Digest")!,
    ]

    /// The names listed by the `Connection` fields, which are connection-specific too.
    public static func namedByConnection(_ fields: HTTPFields) -> [HTTPField.Name] {
        var names: [HTTPField.Name] = []
        for field in fields where field.name == .connection {
            for token in field.value.split(separator: ",") {
                if let name = HTTPField.Name(String(token.trimmingOWS)), !names.contains(name) { names.append(name) }
            }
        }
        return names
    }

    /// The fields of a response as a cache stores them (RFC 9111 §3.1): without the
    /// connection-specific fields and those `Connection` names, without obsolete 1xx
    /// `Warning`s (RFC 7234 §5.5 said to delete them on storage; RFC 9111 obsoletes the
    /// field), and, in a shared cache, without the fields a `private="…"` directive names
    /// (§5.2.2.7).
    public static func forStorage(_ fields: HTTPFields, privateFieldNames: [HTTPField.Name] = []) -> HTTPFields {
        let connectionNamed = namedByConnection(fields)
        var stored = HTTPFields()
        stored.reserveCapacity(fields.count)
        for field in fields {
            if connectionSpecific.contains(field.name) || connectionNamed.contains(field.name)
                || privateFieldNames.contains(field.name) || isInterimWarning(field)
            {
                continue
            }
            stored.append(field)
        }
        return stored
    }

    /// Whether a field is a `Warning` with a 1xx warn-code.
    static func isInterimWarning(_ field: HTTPField) -> Bool {
        field.name == warning && field.value.trimmingOWS.first == "1"
    }

    /// Merges the fields of a 304 (or of a HEAD response) into a stored response's fields
    /// (RFC 9111 §3.2): every field of the new response replaces all lines of that field in
    /// the stored response, or is added when the stored response lacked it, except:
    ///
    /// - the fields excepted from storage (§3.1): connection-specific fields, those named by
    ///   the new response's `Connection`, and in a shared cache those named by a
    ///   `private="…"` directive;
    /// - the fields the stored content depends on and `Content-Length` (``frozenByContent``);
    /// - `Warning` 1xx.
    ///
    /// `Content-Type` and every other field are updated: RFC 9111 allows omitting them only
    /// for caches that store processed content, which this cache does not.
    public static func updating(
        _ stored: HTTPFields,
        with new: HTTPFields,
        privateFieldNames: [HTTPField.Name] = []
    ) -> HTTPFields {
        let connectionNamed = namedByConnection(new)
        var result = stored
        var replaced: [HTTPField.Name] = []
        for field in new {
            let name = field.name
            if replaced.contains(name) || connectionSpecific.contains(name) || connectionNamed.contains(name)
                || frozenByContent.contains(name) || privateFieldNames.contains(name) || isInterimWarning(field)
            {
                continue
            }
            replaced.append(name)
            result[fields: name] = new[fields: name].filter { !isInterimWarning($0) }
        }
        return result
    }

    /// The fields of a stored response as they are sent to a client (RFC 9111 §4): with the
    /// current `Age` (§5.1), without connection-specific fields, without 1xx `Warning`s, and,
    /// unless the response was just validated, without the fields a `no-cache="…"`
    /// directive names (§5.2.2.4).
    public static func forDelivery(
        _ stored: HTTPFields,
        age: Int64,
        withholding noCacheFieldNames: [HTTPField.Name] = []
    ) -> HTTPFields {
        let connectionNamed = namedByConnection(stored)
        var delivered = HTTPFields()
        delivered.reserveCapacity(stored.count + 1)
        for field in stored {
            if field.name == .age || connectionSpecific.contains(field.name) || connectionNamed.contains(field.name)
                || noCacheFieldNames.contains(field.name) || isInterimWarning(field)
            {
                continue
            }
            delivered.append(field)
        }
        delivered.append(HTTPField(name: .age, value: String(DeltaSeconds.clamp(age))))
        return delivered
    }
}
