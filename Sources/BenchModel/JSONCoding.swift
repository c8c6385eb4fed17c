import Foundation

/// The one configured JSON coder of phibench's files (result.json, calibration.json, ab.json,
/// compare.json, timeseries.jsonl, instructions.json): property names are written in snake case
/// (`durationSeconds` → `duration_seconds`), so a type lists `CodingKeys` only for keys that are not
/// the snake case of its property (`case durationSeconds = "durationS"` for `duration_s`; a value is
/// the lower-camel form whose snake case is the key, as the decoder compares it with the key in camel case).
///
/// What is converted, and what never is (checked against this Foundation by `JSONCodingTests`):
/// - Writing converts only the keys of coded types' own `CodingKeys` (synthesized or written out).
///   String-keyed dictionaries (metric keys `MEA.p50`, user stage names `parseRequest`) never reach the
///   key strategy; keys of other dictionaries come as the standard library's `_DictionaryCodingKey`,
///   which is left as it is.
/// - Reading converts every key of a keyed container (`a_b` → `aB`; a key without `_` is unchanged).
///   String-keyed dictionaries are read without the key strategy, as they are written. The coded
///   types have no other dictionaries and no container of keys chosen at run time (a result v1's
///   extra objects are read as a plain object for that reason), which would be converted.
public enum JSONCoding {
    /// The layout of a pretty-printed file: indented, keys sorted, `/` unescaped.
    public static let pretty: JSONEncoder.OutputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]

    /// An encoder with `formatting`; `nonFinite` writes NaN and the infinities as the strings `nan`,
    /// `inf` and `-inf` (plain JSON has no number for them; without it they are an encoding error).
    public static func encoder(_ formatting: JSONEncoder.OutputFormatting = pretty, nonFinite: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = formatting
        e.keyEncodingStrategy = .custom { path in Key(jsonName(of: path[path.count - 1])) }
        if nonFinite { e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan") }
        return e
    }

    /// A decoder of what ``encoder(_:nonFinite:)`` writes; `nonFinite` reads `nan`, `inf` and `-inf`.
    public static func decoder(nonFinite: Bool = false) -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .custom { path in Key(camelCase(path[path.count - 1].stringValue)) }
        if nonFinite { d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan") }
        return d
    }

    /// The key `key` is written as: the snake case of a coded type's own key, any other key as it is.
    /// Also names fields in decoding errors (``ResultCodec/describe(_:file:)``).
    public static func jsonName(of key: any CodingKey) -> String {
        if key.intValue == nil, String(describing: type(of: key)) == "CodingKeys" { return snakeCase(key.stringValue) }
        return key.stringValue
    }

    /// `durationSeconds` → `duration_seconds`: each capital letter after the first character becomes `_`
    /// and its lower case. Only ASCII capitals are touched.
    public static func snakeCase(_ name: String) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count + 4)
        for ch in name.unicodeScalars {
            if ch.value >= 0x41 && ch.value <= 0x5A {
                if !out.isEmpty { out.append("_") }
                out.unicodeScalars.append(Unicode.Scalar(ch.value + 0x20)!)
            } else {
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// The inverse of ``snakeCase(_:)`` on its results: `_` followed by a lower-case ASCII letter, not
    /// first and not after another `_`, becomes that letter's capital; everything else is kept
    /// (`duration_s` → `durationS`, `per_1000` → `per_1000`, `MEA.p50` → `MEA.p50`).
    public static func camelCase(_ key: String) -> String {
        guard key.utf8.contains(UInt8(ascii: "_")) else { return key }
        let scalars = Array(key.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let ch = scalars[i]
            if ch == "_", i > 0, scalars[i - 1] != "_", i + 1 < scalars.count, scalars[i + 1].value >= 0x61, scalars[i + 1].value <= 0x7A {
                out.append(Unicode.Scalar(scalars[i + 1].value - 0x20)!)
                i += 2
            } else {
                out.append(ch)
                i += 1
            }
        }
        return String(out)
    }

    /// A key named at run time (a converted name; a field in an error). Never converted itself.
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
